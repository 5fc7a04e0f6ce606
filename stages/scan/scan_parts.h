// The scanners the scan step runs, each returning what it found in the
// common model: secrets, dependencies and IaC of a directory (or, for the image
// scan, of an image's layers and file view: scan_image.h). Internal to the
// scan step.
#ifndef DSO_STAGES_SCAN_SCAN_PARTS_H_
#define DSO_STAGES_SCAN_SCAN_PARTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dso/v1/agent.pb.h"
#include "stages/core/step_context.h"
#include "stages/scan/deps/lockfiles.h"
#include "stages/scan/scan_dirs.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {

// What one scanner found: findings in the common model, a summary line,
// and (secrets) the gitleaks-format report.
struct ScannerOutput {
  std::vector<dso::v1::Finding> findings;
  std::string summary;
  std::string gitleaks;
  std::string sbom;         // CycloneDX JSON, when asked for
  uint64_t unreadable = 0;  // files and directories it could not read
  // Lockfiles it could not read whole ("FILE: why"): the scan cannot pass.
  std::vector<std::string> unread_lockfiles;
};

// The compiled rules and the options a secret scan runs with (rules from
// the request or dso's defaults, ignore lists — `root`'s own
// .gitleaksignore when a root is given —, progress, cancellation).
struct SecretSetup {
  std::unique_ptr<SecretMatcher> matcher;
  SecretScanOptions options;
};
absl::StatusOr<SecretSetup> PrepareSecrets(const dso::v1::ScanParams& p,
                                           const std::string& root,
                                           StepContext& context,
                                           const ScanDirs& dirs);

// A secret scan's findings; `layer` goes into their locations.
ScannerOutput SecretOutput(const dso::v1::ScanParams& p,
                           const SecretMatcher& matcher,
                           const SecretScanResult& scan,
                           const std::string& layer = "");

// Secrets in a directory tree, or with p.git() its history.
absl::StatusOr<ScannerOutput> ScanSecrets(const dso::v1::ScanParams& p,
                                          const std::string& root,
                                          StepContext& context,
                                          const ScanDirs& dirs);

// Dependencies: the packages under `root` (with `installed`, installed
// ones too) matched against the vulnerability database. Without advisories
// there is nothing to match: an error when the scanner was asked for by
// name, a note when it runs by default. `sbom_name` names the SBOM's
// subject (default: the root's directory name).
// `extra`: packages found elsewhere (an image's Go programs);
// `extra_unread`: lockfiles found elsewhere and not read (an image's too
// large to take out), "FILE: why", counted as the tree's unread ones.
absl::StatusOr<ScannerOutput> ScanDeps(
    const dso::v1::ScanParams& p, const std::string& root, StepContext& context,
    const ScanDirs& dirs, bool asked, bool installed = false,
    const std::string& sbom_name = "", const Inventory* extra = nullptr,
    const std::vector<std::string>* extra_unread = nullptr);

// Infrastructure as code (Dockerfiles so far) under `root`, a directory or
// one file (scan_iac.cc).
absl::StatusOr<ScannerOutput> ScanIac(const std::string& root,
                                      StepContext& context);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SCAN_PARTS_H_
