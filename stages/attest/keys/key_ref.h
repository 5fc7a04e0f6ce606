// Key references (KEYREF), as cosign spells them:
//   file://PATH or PATH       a PEM or cosign key file
//   hashivault://NAME         a Vault / OpenBao transit key
//   awskms://[ENDPOINT/]ID    an AWS KMS key (ID, ARN or alias/NAME)
// Credentials come from a lookup (the run's secrets, then the agent's
// credentials bound to KeyDestination(keyref), secrets.h): DSO_KEY_PASSWORD (or
// COSIGN_PASSWORD) for encrypted key files, DSO_KEY_PEM for a key file's text
// sent by the client, VAULT_ADDR and VAULT_TOKEN, AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_REGION.
#ifndef DSO_STAGES_ATTEST_KEYS_KEY_REF_H_
#define DSO_STAGES_ATTEST_KEYS_KEY_REF_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stages/attest/keys/internal/public_key.h"
#include "stages/attest/keys/signer.h"
#include "stages/core/secrets.h"

namespace dso {

inline constexpr char kKeyPemSecret[] = "DSO_KEY_PEM";

absl::StatusOr<std::unique_ptr<Signer>> OpenSigner(const std::string& keyref,
                                                   const SecretLookup& secret);

// The public key of a reference: a PUBLIC KEY file, or the public half of
// any key a Signer can open.
absl::StatusOr<PublicKey> OpenPublicKey(const std::string& keyref,
                                        const SecretLookup& secret);

// The path of a file:// (or bare path) reference, "" for other schemes.
std::string KeyFilePath(const std::string& keyref);

// The destination credentials for `keyref` are looked up for: file://PATH
// for key files, the reference itself for the others (so an awskms://
// reference with its own endpoint is a destination of its own).
std::string KeyDestination(const std::string& keyref);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_KEY_REF_H_
