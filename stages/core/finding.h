// Helpers for the finding model (dso.v1.Finding in proto/dso/v1/finding.proto):
// severity names, stable fingerprints and masking of secret evidence.
#ifndef DSO_STAGES_CORE_FINDING_H_
#define DSO_STAGES_CORE_FINDING_H_

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dso/v1/finding.pb.h"

namespace dso {

// "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"; "UNSPECIFIED" otherwise.
absl::string_view SeverityName(dso::v1::Severity severity);
// Case-insensitive inverse of SeverityName.
absl::StatusOr<dso::v1::Severity> ParseSeverity(absl::string_view name);
// GitHub's security-severity score for a severity ("9.5" for CRITICAL...).
absl::string_view SecuritySeverityScore(dso::v1::Severity severity);

// A stable fingerprint: 32 hex digits of SHA-256 over the parts, each
// length-prefixed so that ("ab","c") and ("a","bc") differ.
std::string Fingerprint(std::initializer_list<absl::string_view> parts);

// Evidence for a secret: at most its first 4 characters, its length and
// the first 8 hex digits of its SHA-256, e.g.
// "AKIA*****[20 chars, sha256:4bf7b3e1]". Secrets of 8 characters or fewer
// show none of their characters.
std::string MaskSecret(absl::string_view secret);

// Findings counted by severity name, every severity present (zeros too).
std::map<std::string, uint64_t> CountBySeverity(
    const std::vector<dso::v1::Finding>& findings);

}  // namespace dso

#endif  // DSO_STAGES_CORE_FINDING_H_
