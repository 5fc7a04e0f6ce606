// Checks every request field the agent does not otherwise interpret before
// a run exists: enum values it knows, and sane lengths and counts, so that
// a request cannot make a journal, a log line or a list response huge, or
// an unknown enum value slip past a check (fail_on = 77 meaning "never"),
// and no URL with a password in it (it would be journaled and shown).
#ifndef DSO_RUNTIME_REQUEST_LIMITS_H_
#define DSO_RUNTIME_REQUEST_LIMITS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "dso/v1/agent.pb.h"

namespace dso {

inline constexpr size_t kMaxIdempotencyKeyBytes = 256;
inline constexpr size_t kMaxSecretsEntries = 64;
// Any string field of a request but the inline documents below.
inline constexpr size_t kMaxStringFieldBytes = 128 << 10;  // MAX_ARG_STRLEN
// Any repeated field or map: argv, env, collect, files, reports, ...
inline constexpr int kMaxRepeatedEntries = 4096;

// INVALID_ARGUMENT naming the field (its proto path) on the first value
// out of bounds. Inline documents (a gitleaks config, a policy, waivers,
// an allowlist, a public key) may be as large as the message limit. A URL
// with a password is refused in any field but the secrets and the inline
// documents, with the password redacted from the message.
absl::Status CheckRequestLimits(const dso::v1::RunStepRequest& request);

}  // namespace dso

#endif  // DSO_RUNTIME_REQUEST_LIMITS_H_
