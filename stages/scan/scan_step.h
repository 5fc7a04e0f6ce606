// ScanStep ("scan"): scans a directory, a file or an image with the
// requested scanners (secrets, deps, image checks), streams progress and
// findings as events, and stores the requested reports (dso JSON, SARIF
// 2.1.0, gitleaks JSON, CycloneDX) as artifacts. The outcome: SUCCEEDED;
// POLICY_FAILED for findings at --fail-on (or unreadable files with
// --fail-on-unreadable); ERROR (INVALID_ARGUMENT, dsoctl exits 2) when a
// lockfile could not be read whole — its packages are unknown, and neither
// its size nor a syntax error may be a way past the gate — with the
// reports of what was read stored all the same. The same code runs in the
// agent and embedded in dsoctl.
#ifndef DSO_STAGES_SCAN_SCAN_STEP_H_
#define DSO_STAGES_SCAN_SCAN_STEP_H_

#include "stages/core/step.h"
#include "stages/scan/scan_dirs.h"

namespace dso {

class ScanStep : public Step {
 public:
  explicit ScanStep(ScanDirs dirs) : dirs_(std::move(dirs)) {}
  std::string name() const override { return "scan"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;

 private:
  ScanDirs dirs_;
};

// Registers the scan step and the vulnerability database's "db" step.
absl::Status RegisterScanSteps(StepRegistry& registry, const ScanDirs& dirs);

// Report file names the scan step gives its artifacts, by format:
// findings.sarif, findings.json, findings-gitleaks.json, sbom.cdx.json.
std::string ScanReportName(absl::string_view format);
// The names the reports had before (secrets.sarif, secrets.json,
// secrets-gitleaks.json; "" for the SBOM): the step gives each report
// under both, and dsoctl answers to both, until the next release.
std::string LegacyScanReportName(absl::string_view format);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SCAN_STEP_H_
