#include "stages/attest/keys/file_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "stages/attest/keys/internal/cosign_key.h"
#include "stages/attest/keys/internal/pem.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"

namespace dso {
namespace {

std::string TestData(const std::string& name) {
  auto text = ReadFile(std::string(DSO_SOURCE_DIR) +
                       "/stages/attest/keys/testdata/" + name);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

TEST(FileKeyTest, ReadsKeyMadeByCosignAndVerifiesItsBlobSignature) {
  auto signer = LoadPrivateKey(TestData("cosign_pw.key"), "pw", "cosign.key");
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->public_key().Describe(), "ECDSA P-256");
  auto pub = PublicKey::FromPem(TestData("cosign_pw.pub"), "cosign.pub");
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(pub->pem(), (*signer)->public_key().pem());
  std::string sig;
  ASSERT_TRUE(absl::Base64Unescape(TestData("blob_hello_dso.sig"), &sig));
  EXPECT_TRUE(pub->Verify("hello dso", sig).ok());
  EXPECT_EQ(pub->Verify("hello dsO", sig).code(),
            absl::StatusCode::kPermissionDenied);
  // And what we sign, the same key verifies.
  auto ours = (*signer)->Sign("hello dso");
  ASSERT_TRUE(ours.ok());
  EXPECT_TRUE(pub->Verify("hello dso", *ours).ok());
}

TEST(FileKeyTest, WrongPasswordIsNamed) {
  auto signer = LoadPrivateKey(TestData("cosign_pw.key"), "nope", "k.key");
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(signer.status().message().find("k.key: wrong password"),
            std::string::npos);
}

TEST(FileKeyTest, GeneratedPairRoundTrips) {
  auto pair = GenerateKeyPair("s3cret");
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->private_pem.rfind(
                "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n", 0),
            0u);
  auto signer = LoadPrivateKey(pair->private_pem, "s3cret", "gen");
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->public_key().pem(), pair->public_pem);
  auto sig = (*signer)->Sign("payload");
  ASSERT_TRUE(sig.ok());
  auto pub = PublicKey::FromPem(pair->public_pem, "gen.pub");
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Verify("payload", *sig).ok());
  // A different key does not verify it.
  auto other = GenerateKeyPair("x");
  ASSERT_TRUE(other.ok());
  auto other_pub = PublicKey::FromPem(other->public_pem, "other.pub");
  ASSERT_TRUE(other_pub.ok());
  EXPECT_FALSE(other_pub->Verify("payload", *sig).ok());
}

std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return out;
}

TEST(FileKeyTest, PlainPkcs8AndRsaKeys) {
  auto ec = LoadPrivateKey(PemOf(EVP_EC_gen("P-384")), "", "ec.pem");
  ASSERT_TRUE(ec.ok()) << ec.status();
  EXPECT_EQ((*ec)->public_key().Describe(), "ECDSA P-384");
  auto rsa = LoadPrivateKey(PemOf(EVP_RSA_gen(2048)), "", "rsa.pem");
  ASSERT_TRUE(rsa.ok()) << rsa.status();
  auto sig = (*rsa)->Sign("x");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE((*rsa)->public_key().Verify("x", *sig).ok());
}

TEST(FileKeyTest, BadKeysGetClearErrors) {
  auto ed = LoadPrivateKey(
      PemOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")), "", "ed.pem");
  ASSERT_FALSE(ed.ok());
  EXPECT_EQ(ed.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(ed.status().message().find("unsupported key type Ed25519"),
            std::string::npos);

  auto pub_as_private =
      LoadPrivateKey(TestData("cosign_pw.pub"), "", "cosign.pub");
  ASSERT_FALSE(pub_as_private.ok());
  EXPECT_NE(pub_as_private.status().message().find("not a private key"),
            std::string::npos);

  auto garbage = LoadPrivateKey("hello", "", "g.key");
  EXPECT_NE(garbage.status().message().find("g.key: not a PEM file"),
            std::string::npos);

  auto truncated = LoadPrivateKey(
      PemEncode(kCosignKeyPemType, R"({"kdf":{"name":"scrypt"}})"), "", "t");
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);

  auto costly = LoadPrivateKey(
      PemEncode(
          kCosignKeyPemType,
          R"({"kdf":{"name":"scrypt","params":{"N":1073741824,"r":8,"p":1},"salt":"AA=="},)"
          R"("cipher":{"name":"nacl/secretbox","nonce":"AA=="},"ciphertext":"AA=="})"),
      "", "c");
  EXPECT_NE(costly.status().message().find("too costly"), std::string::npos);

  auto corrupt = LoadPrivateKey(PemEncode("PRIVATE KEY", "not der"), "", "d");
  EXPECT_NE(corrupt.status().message().find("does not hold a valid"),
            std::string::npos);
}

TEST(PemTest, EncodesInLinesOf64AndDecodes) {
  std::string bytes(100, 'z');
  std::string pem = PemEncode("THING", bytes);
  size_t first = pem.find('\n') + 1;
  EXPECT_EQ(pem.find('\n', first) - first, 64u);
  auto back = PemDecode("junk before\n" + pem, "x");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, "THING");
  EXPECT_EQ(back->bytes, bytes);
}

}  // namespace
}  // namespace dso
