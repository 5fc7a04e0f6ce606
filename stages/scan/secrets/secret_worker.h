// SecretScanner::Worker: one thread's scanning state (its Hyperscan
// scratch, its read buffer, what it found) and the code that turns a
// file, stream or buffer into findings. Private to the secrets library;
// directory and git scans give each of their threads one.
#ifndef DSO_STAGES_SCAN_SECRETS_SECRET_WORKER_H_
#define DSO_STAGES_SCAN_SECRETS_SECRET_WORKER_H_

#include <atomic>
#include <string>
#include <vector>

#include "stages/scan/secrets/secret_scanner.h"

namespace dso {

class SecretScanner::Worker {
 public:
  explicit Worker(SecretScanner& scanner);

  SecretScanResult& result() { return result_; }

  void ScanFile(const std::string& abs, const std::string& rel);

  void ScanStream(int fd, const std::string& rel);

  // What this worker has done so far; safe to call from another thread.
  void AddProgress(SecretScanStats& s) const;

  // Matches in `text` starting in [report_from, report_to) become findings
  // unless something allows them.
  void ScanBuffer(absl::string_view text, const std::string& rel,
                  uint32_t line_base, size_t report_from, size_t report_to,
                  const SecretFinding* commit = nullptr);

 private:
  // As gitleaks: a "generic" rule's match is dropped where a specific rule
  // found the same secret (or one containing it) at the same place.
  void DropGenericDuplicates(const SecretRuleSet& rules);

  // Rules without a regex report the file itself when its path matches.
  void ReportPathRules(const std::string& rel);

  SecretScanner& scanner_;
  SecretMatcher::Scratch scratch_;
  std::vector<char> buffer_;
  std::vector<SecretMatch> matches_;
  SecretScanResult result_;
  std::atomic<uint64_t> progress_files_{0}, progress_bytes_{0},
      progress_findings_{0};
};

// Moves a finished worker's stats, findings and warnings into `result`.
void CollectWorkerResult(SecretScanner::Worker& worker,
                         SecretScanResult& result);

// By commit, file, line, column and rule: reports come out the same order
// whatever the threads did.
void SortFindings(std::vector<SecretFinding>& findings);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_SECRET_WORKER_H_
