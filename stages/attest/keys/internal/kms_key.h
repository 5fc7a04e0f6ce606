// Keys that never leave their key service: AWS KMS (awskms://) and Vault /
// OpenBao transit (hashivault://), as cosign names them. The public key is
// fetched when the key is opened; every signature the service returns is
// checked against it before it is used, so a broken or hostile service
// cannot slip in a bad one.
#ifndef DSO_STAGES_ATTEST_KEYS_INTERNAL_KMS_KEY_H_
#define DSO_STAGES_ATTEST_KEYS_INTERNAL_KMS_KEY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stages/attest/keys/signer.h"
#include "stages/core/secrets.h"

namespace dso {

// awskms://[ENDPOINT]/ID — ID a key id, key ARN or alias/NAME; ENDPOINT
// host[:port] (loopback over HTTP), else DSO_KMS_ENDPOINT,
// AWS_ENDPOINT_URL_KMS or AWS_ENDPOINT_URL, else AWS's regional endpoint.
// Credentials AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// region AWS_REGION / AWS_DEFAULT_REGION (requests signed with SigV4).
absl::StatusOr<std::unique_ptr<Signer>> OpenAwsKmsSigner(
    const std::string& keyref, const SecretLookup& secret);

// hashivault://NAME — a transit key; VAULT_ADDR, VAULT_TOKEN,
// VAULT_NAMESPACE, TRANSIT_SECRET_ENGINE_PATH (default "transit").
absl::StatusOr<std::unique_ptr<Signer>> OpenVaultSigner(
    const std::string& keyref, const SecretLookup& secret);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_INTERNAL_KMS_KEY_H_
