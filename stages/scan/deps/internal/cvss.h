// Severity of an advisory from its CVSS vector: the CVSS v3.0/v3.1 base
// score computed by the specification's formulas (FIRST, CVSS v3.1 §7), and
// the qualitative rating of a score. CVSS v4.0 vectors are recognised but
// not scored.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_CVSS_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_CVSS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dso/v1/finding.pb.h"

namespace dso {

// The base score (0.0–10.0) of a "CVSS:3.x/AV:../AC:../..." vector. An
// error names the vector and the missing or unknown metric; a CVSS:4.0
// vector is Unimplemented.
absl::StatusOr<double> CvssV3BaseScore(absl::string_view vector);

// CVSS's rating: 0 → INFO (none), < 4 LOW, < 7 MEDIUM, < 9 HIGH, else
// CRITICAL.
dso::v1::Severity SeverityOfScore(double score);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_CVSS_H_
