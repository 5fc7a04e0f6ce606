#include "stages/attest/keys/file_key.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "stages/attest/keys/internal/cosign_key.h"
#include "stages/attest/keys/internal/pem.h"

namespace dso {
namespace {

class FileSigner : public Signer {
 public:
  FileSigner(EvpKey key, PublicKey pub, std::string source)
      : key_(std::move(key)),
        pub_(std::move(pub)),
        source_(std::move(source)) {}

  absl::StatusOr<std::string> SignDigest(absl::string_view digest) override {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key_.get(), nullptr);
    if (ctx == nullptr) return absl::InternalError("EVP_PKEY_CTX_new failed");
    std::string sig;
    size_t len = 0;
    bool ok = EVP_PKEY_sign_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1;
    if (ok && EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_RSA) {
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    }
    const auto* d = reinterpret_cast<const uint8_t*>(digest.data());
    if (ok) ok = EVP_PKEY_sign(ctx, nullptr, &len, d, digest.size()) == 1;
    if (ok) {
      sig.resize(len);
      ok = EVP_PKEY_sign(ctx, reinterpret_cast<uint8_t*>(sig.data()), &len, d,
                         digest.size()) == 1;
      sig.resize(len);
    }
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
      ERR_clear_error();
      return absl::InternalError(
          absl::StrCat("signing with ", Describe(), " failed"));
    }
    return sig;
  }

  const PublicKey& public_key() const override { return pub_; }
  std::string Describe() const override {
    return absl::StrCat("file key ", source_, " (", pub_.Describe(), ")");
  }

 private:
  EvpKey key_;
  PublicKey pub_;
  std::string source_;
};

// d2i for PKCS #8, SEC1 and PKCS #1 DER.
EvpKey DecodeDer(const std::string& der) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  return AdoptEvpKey(d2i_AutoPrivateKey(nullptr, &p, der.size()));
}

int PasswordCallback(char* buf, int size, int, void* user) {
  const auto* password = static_cast<const absl::string_view*>(user);
  if (password->size() > static_cast<size_t>(size)) return -1;
  memcpy(buf, password->data(), password->size());
  return static_cast<int>(password->size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<Signer>> LoadPrivateKey(
    absl::string_view pem_text, absl::string_view password,
    const std::string& source) {
  absl::StatusOr<PemBlock> block = PemDecode(pem_text, source);
  if (!block.ok()) return block.status();
  SecretBytes der(std::move(block->bytes));
  EvpKey key;
  const std::string& type = block->type;
  if (type == kCosignKeyPemType || type == kCosignLegacyKeyPemType) {
    absl::StatusOr<SecretBytes> plain =
        DecryptCosignKey(der.view(), password, source);
    if (!plain.ok()) return plain.status();
    key = DecodeDer(plain->view());
  } else if (type == "PRIVATE KEY" || type == "EC PRIVATE KEY" ||
             type == "RSA PRIVATE KEY") {
    key = DecodeDer(der.view());
  } else if (type == "ENCRYPTED PRIVATE KEY") {
    BIO* bio = BIO_new_mem_buf(pem_text.data(), pem_text.size());
    key = AdoptEvpKey(
        PEM_read_bio_PrivateKey(bio, nullptr, PasswordCallback,
                                const_cast<absl::string_view*>(&password)));
    BIO_free(bio);
    if (!key) {
      ERR_clear_error();
      return absl::PermissionDeniedError(
          absl::StrCat(source,
                       ": wrong password for the encrypted PKCS #8 key (or the "
                       "file is corrupt); set DSO_KEY_PASSWORD"));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": a '", type,
        "' PEM block is not a private key (expected a cosign key, PRIVATE "
        "KEY, EC PRIVATE KEY or RSA PRIVATE KEY)"));
  }
  if (!key) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": the '", type, "' block does not hold a valid private key"));
  }
  if (absl::Status s = CheckKeyType(key, source); !s.ok()) return s;
  absl::StatusOr<PublicKey> pub = PublicKey::FromKey(key);
  if (!pub.ok()) return pub.status();
  return std::make_unique<FileSigner>(std::move(key), *std::move(pub), source);
}

absl::StatusOr<KeyPairPem> GenerateKeyPair(absl::string_view password) {
  EvpKey key = AdoptEvpKey(EVP_EC_gen("P-256"));
  if (!key) return absl::InternalError("EC key generation failed");
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key.get());
  if (p8 == nullptr) return absl::InternalError("PKCS #8 encoding failed");
  uint8_t* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) return absl::InternalError("PKCS #8 encoding failed");
  SecretBytes pkcs8(std::string(reinterpret_cast<char*>(der), len));
  OPENSSL_clear_free(der, len);
  KeyPairPem out;
  absl::StatusOr<std::string> encrypted =
      EncryptCosignKey(pkcs8.view(), password);
  if (!encrypted.ok()) return encrypted.status();
  out.private_pem = *std::move(encrypted);
  absl::StatusOr<PublicKey> pub = PublicKey::FromKey(key);
  if (!pub.ok()) return pub.status();
  out.public_pem = pub->pem();
  return out;
}

}  // namespace dso
