#include "stages/attest/keys/internal/public_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "stages/attest/keys/internal/pem.h"

namespace dso {

EvpKey AdoptEvpKey(evp_pkey_st* key) {
  return EvpKey(key, [](evp_pkey_st* k) { EVP_PKEY_free(k); });
}

std::string DescribeKey(const EvpKey& key) {
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &len);
      std::string name(group, len);
      if (name == "prime256v1") name = "P-256";
      if (name == "secp384r1") name = "P-384";
      if (name == "secp521r1") name = "P-521";
      return absl::StrCat("ECDSA ", name);
    }
    case EVP_PKEY_RSA:
      return absl::StrCat("RSA ", EVP_PKEY_get_bits(key.get()));
    case EVP_PKEY_ED25519:
      return "Ed25519";
    default:
      return absl::StrCat("key type ", EVP_PKEY_get_base_id(key.get()));
  }
}

absl::Status CheckKeyType(const EvpKey& key, absl::string_view source) {
  std::string what = DescribeKey(key);
  if (what == "ECDSA P-256" || what == "ECDSA P-384" || what == "ECDSA P-521") {
    return absl::OkStatus();
  }
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA &&
      EVP_PKEY_get_bits(key.get()) >= 2048) {
    return absl::OkStatus();
  }
  return absl::UnimplementedError(absl::StrCat(
      source, ": unsupported key type ", what,
      "; dso signs with ECDSA (P-256, P-384, P-521) or RSA (2048 bits or "
      "more) keys, as cosign generate-key-pair and dsoctl keys generate "
      "write them"));
}

std::string Sha256Raw(absl::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(),
         reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

absl::StatusOr<PublicKey> PublicKey::FromKey(const EvpKey& key) {
  uint8_t* der = nullptr;
  int len = i2d_PUBKEY(key.get(), &der);
  if (len <= 0) return absl::InternalError("cannot encode the public key");
  std::string bytes(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  // A key holding only the public half, so nothing private is kept here.
  const uint8_t* p = reinterpret_cast<const uint8_t*>(bytes.data());
  EvpKey pub = AdoptEvpKey(d2i_PUBKEY(nullptr, &p, len));
  if (!pub) return absl::InternalError("cannot decode the public key");
  return PublicKey(std::move(pub), PemEncode("PUBLIC KEY", bytes));
}

absl::StatusOr<PublicKey> PublicKey::FromPem(absl::string_view pem,
                                             absl::string_view source) {
  absl::StatusOr<PemBlock> block = PemDecode(pem, source);
  if (!block.ok()) return block.status();
  if (block->type != "PUBLIC KEY") {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": a '", block->type,
                     "' PEM block, not a PUBLIC KEY (PKIX) block"));
  }
  const uint8_t* p = reinterpret_cast<const uint8_t*>(block->bytes.data());
  EvpKey key = AdoptEvpKey(d2i_PUBKEY(nullptr, &p, block->bytes.size()));
  if (!key) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the PUBLIC KEY block is corrupt"));
  }
  if (absl::Status s = CheckKeyType(key, source); !s.ok()) return s;
  return PublicKey(std::move(key), PemEncode("PUBLIC KEY", block->bytes));
}

absl::Status PublicKey::VerifyDigest(absl::string_view digest,
                                     absl::string_view signature) const {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key_.get(), nullptr);
  if (ctx == nullptr) return absl::InternalError("EVP_PKEY_CTX_new failed");
  int ok = EVP_PKEY_verify_init(ctx) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1;
  if (ok && EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_RSA) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  if (ok) {
    ok = EVP_PKEY_verify(
             ctx, reinterpret_cast<const uint8_t*>(signature.data()),
             signature.size(), reinterpret_cast<const uint8_t*>(digest.data()),
             digest.size()) == 1;
  }
  EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return absl::PermissionDeniedError(absl::StrCat(
        "the signature does not verify with the ", Describe(), " public key"));
  }
  return absl::OkStatus();
}

absl::Status PublicKey::Verify(absl::string_view data,
                               absl::string_view signature) const {
  return VerifyDigest(Sha256Raw(data), signature);
}

}  // namespace dso
