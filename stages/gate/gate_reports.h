// The gate's inputs: findings from dso's JSON and SARIF reports and from
// SARIF 2.1.0 written by any other tool, and CycloneDX SBOMs (whose presence
// the final gate checks). Findings are merged across reports by
// fingerprint. docs/gate.md documents how SARIF levels and
// security-severity scores map to severities.
#ifndef DSO_STAGES_GATE_GATE_REPORTS_H_
#define DSO_STAGES_GATE_GATE_REPORTS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dso/v1/finding.pb.h"
#include "stages/gate/gate_evidence.h"

namespace dso {

struct GateInputs {
  // One per fingerprint; where two reports hold the same one, the higher
  // severity is kept.
  std::vector<dso::v1::Finding> findings;
  size_t read = 0;        // findings read, duplicates included
  size_t duplicates = 0;  // read again under a fingerprint already seen
  std::vector<std::string> reports;  // names, in the order read
  std::vector<std::string> digests;  // "sha256:<hex>" of each, same order
  std::vector<std::string> sboms;    // names of the CycloneDX SBOMs
  absl::flat_hash_map<std::string, size_t> index;  // fingerprint -> finding
  Evidence evidence;  // verified signatures and attestations, for `final`
};

// One report read, not yet merged: reports can be read in parallel and
// merged in order.
struct ParsedReport {
  std::string name, digest;
  bool sbom = false;
  std::vector<dso::v1::Finding> findings;
};

// Reads one report. The format is told by the content: SARIF (`version`
// "2.1.0" and `runs`), a dso JSON report (`findings`), or a CycloneDX SBOM
// (`bomFormat`). Anything else, or a malformed one, is an error naming
// `name` and the JSON path. Safe to call from several threads at once.
absl::StatusOr<ParsedReport> ParseReport(absl::string_view text,
                                         const std::string& name);
// Adds a read report's findings, merging by fingerprint.
void MergeReport(ParsedReport report, GateInputs* out);

// ParseReport, then MergeReport; on an error `out` is unchanged.
// ParseReports: many at once, in parallel (a thread per core), in the order
// given; the first error in that order is returned. MergeReports merges
// them in order; AddReports is both.
absl::Status AddReport(absl::string_view text, const std::string& name,
                       GateInputs* out);
struct ReportText {
  std::string name, text;
};
absl::StatusOr<std::vector<ParsedReport>> ParseReports(
    const std::vector<ReportText>& reports);
void MergeReports(std::vector<ParsedReport> parsed, GateInputs* out);
absl::Status AddReports(const std::vector<ReportText>& reports,
                        GateInputs* out);

// The severity of a SARIF result: GitHub's security-severity score when
// there is one (≥ 9.0 CRITICAL, ≥ 7.0 HIGH, ≥ 4.0 MEDIUM, > 0 LOW, 0 INFO),
// else its level (error HIGH, warning MEDIUM, note LOW, none INFO).
dso::v1::Severity SeverityFromScore(double score);

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_REPORTS_H_
