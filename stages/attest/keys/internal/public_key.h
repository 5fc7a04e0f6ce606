// A public key that checks signatures made over SHA-256 digests: ECDSA
// (P-256, P-384, P-521; ASN.1 DER signatures) or RSA (PKCS #1 v1.5), the
// key types cosign signs with. Read from PEM "PUBLIC KEY" (PKIX), or
// derived from a private key.
#ifndef DSO_STAGES_ATTEST_KEYS_INTERNAL_PUBLIC_KEY_H_
#define DSO_STAGES_ATTEST_KEYS_INTERNAL_PUBLIC_KEY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace dso {

// A shared, immutable OpenSSL key (freed with EVP_PKEY_free).
using EvpKey = std::shared_ptr<evp_pkey_st>;
EvpKey AdoptEvpKey(evp_pkey_st* key);

// Checks the key is one we sign and verify with; the error names `source`
// and the key type found.
absl::Status CheckKeyType(const EvpKey& key, absl::string_view source);
// "ECDSA P-256", "RSA 3072", ...
std::string DescribeKey(const EvpKey& key);

class PublicKey {
 public:
  static absl::StatusOr<PublicKey> FromPem(absl::string_view pem,
                                           absl::string_view source);
  // The public half of `key` (a private or public key).
  static absl::StatusOr<PublicKey> FromKey(const EvpKey& key);

  // OK when `signature` (DER) is valid for the 32-byte SHA-256 `digest`;
  // PERMISSION_DENIED otherwise.
  absl::Status VerifyDigest(absl::string_view digest,
                            absl::string_view signature) const;
  // Hashes `data` and verifies.
  absl::Status Verify(absl::string_view data,
                      absl::string_view signature) const;

  const std::string& pem() const { return pem_; }
  std::string Describe() const { return DescribeKey(key_); }

 private:
  PublicKey(EvpKey key, std::string pem)
      : key_(std::move(key)), pem_(std::move(pem)) {}
  EvpKey key_;
  std::string pem_;
};

// The raw 32-byte SHA-256 of `data`.
std::string Sha256Raw(absl::string_view data);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_INTERNAL_PUBLIC_KEY_H_
