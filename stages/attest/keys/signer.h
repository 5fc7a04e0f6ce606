// Signer: a private key that signs SHA-256 digests, wherever it lives — a
// key file in this process, or a key that never leaves Vault/OpenBao
// transit or AWS KMS. Signatures are ASN.1 DER (ECDSA) or PKCS #1 v1.5
// (RSA), as cosign writes and checks them.
#ifndef DSO_STAGES_ATTEST_KEYS_SIGNER_H_
#define DSO_STAGES_ATTEST_KEYS_SIGNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/attest/keys/internal/public_key.h"

namespace dso {

class Signer {
 public:
  virtual ~Signer() = default;
  // Signs a 32-byte SHA-256 digest.
  virtual absl::StatusOr<std::string> SignDigest(absl::string_view digest) = 0;
  // The key's public half, which verifiers use.
  virtual const PublicKey& public_key() const = 0;
  // "file key /etc/dso/cosign.key (ECDSA P-256)": for logs, never secret.
  virtual std::string Describe() const = 0;

  // Signs `data` (SHA-256 of it); by default hashes here and signs the
  // digest.
  virtual absl::StatusOr<std::string> Sign(absl::string_view data) {
    return SignDigest(Sha256Raw(data));
  }
};

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_SIGNER_H_
