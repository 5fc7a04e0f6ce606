// Cosign's password-protected private key files: a PEM block
// "ENCRYPTED SIGSTORE PRIVATE KEY" (older cosign: "ENCRYPTED COSIGN PRIVATE
// KEY") whose body is JSON naming the KDF (scrypt with N, r, p and a salt)
// and the cipher (NaCl secretbox: XSalsa20-Poly1305, with a nonce) that
// protect a PKCS#8 DER private key. Both directions use libsodium.
//
// Decrypted key bytes are returned in a SecretBytes, which wipes its memory
// when destroyed.
#ifndef DSO_STAGES_ATTEST_KEYS_INTERNAL_COSIGN_KEY_H_
#define DSO_STAGES_ATTEST_KEYS_INTERNAL_COSIGN_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// A byte string wiped (sodium_memzero) when destroyed or reassigned. Move
// only, so no copy of the secret is left behind.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  const std::string& view() const { return bytes_; }
  std::string& mutable_bytes() { return bytes_; }

 private:
  void Wipe();
  std::string bytes_;
};

inline constexpr char kCosignKeyPemType[] = "ENCRYPTED SIGSTORE PRIVATE KEY";
inline constexpr char kCosignLegacyKeyPemType[] =
    "ENCRYPTED COSIGN PRIVATE KEY";

// scrypt cost cosign uses when it writes a key (N = 2^16, r = 8, p = 1).
struct ScryptParams {
  uint64_t n = 65536;
  uint32_t r = 8;
  uint32_t p = 1;
};

// Decrypts the JSON body of a cosign key (the base64-decoded PEM payload).
// `source` names the file in errors; a wrong password is reported as such.
absl::StatusOr<SecretBytes> DecryptCosignKey(absl::string_view json_body,
                                             absl::string_view password,
                                             absl::string_view source);

// Encrypts PKCS#8 DER key bytes into a complete PEM file text.
absl::StatusOr<std::string> EncryptCosignKey(absl::string_view pkcs8_der,
                                             absl::string_view password,
                                             const ScryptParams& params = {});

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_INTERNAL_COSIGN_KEY_H_
