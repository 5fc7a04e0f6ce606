// Private keys in files: cosign's encrypted keys (cosign_key.h), PKCS #8
// ("PRIVATE KEY", or "ENCRYPTED PRIVATE KEY" with a password) and SEC1
// ("EC PRIVATE KEY") / PKCS #1 ("RSA PRIVATE KEY") PEM. The key is held by
// OpenSSL, which wipes it when freed; decrypted bytes are wiped at once.
#ifndef DSO_STAGES_ATTEST_KEYS_FILE_KEY_H_
#define DSO_STAGES_ATTEST_KEYS_FILE_KEY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/attest/keys/signer.h"

namespace dso {

// Reads the key in `pem_text` (`source` names it in errors); `password`
// decrypts encrypted keys.
absl::StatusOr<std::unique_ptr<Signer>> LoadPrivateKey(
    absl::string_view pem_text, absl::string_view password,
    const std::string& source);

struct KeyPairPem {
  std::string private_pem;  // cosign's ENCRYPTED SIGSTORE PRIVATE KEY
  std::string public_pem;   // PUBLIC KEY
};

// A fresh ECDSA P-256 key pair, the private half encrypted with `password`
// as cosign generate-key-pair writes it.
absl::StatusOr<KeyPairPem> GenerateKeyPair(absl::string_view password);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_FILE_KEY_H_
