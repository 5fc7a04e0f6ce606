// SecretScanner::Worker: one thread's scanning state (its Hyperscan
// scratch, its read buffer, what it found) and the code that turns a
// file, stream or buffer into findings. Private to the secrets library;
// directory and git scans give each of their threads one.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_WORKER_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_WORKER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {

class SecretScanner::Worker {
 public:
  explicit Worker(SecretScanner& scanner);

  SecretScanResult& result() { return result_; }

  void ScanFile(const std::string& abs, const std::string& rel);

  // `size`: the file's size when opened (its end is taken as read once
  // that many bytes came); kUnknownSize for pipes and sockets.
  static constexpr uint64_t kUnknownSize = ~uint64_t{0};
  void ScanStream(int fd, const std::string& rel, uint64_t size = kUnknownSize);
  // The same for any source of bytes.
  void ScanReader(const SecretReadFn& read_some, const std::string& rel,
                  uint64_t size = kUnknownSize);

  // Makes this worker's counts so far visible to AddProgress.
  void PublishProgress();
  // What this worker has published; safe to call from another thread.
  void AddProgress(SecretScanStats& s) const;

  // Matches in `text` starting in [report_from, report_to) become findings
  // unless something allows them. `text` starts on line `line_base`,
  // `column_base` bytes into it (a chunk of a long line).
  void ScanBuffer(absl::string_view text, const std::string& rel,
                  uint32_t line_base, size_t report_from, size_t report_to,
                  const SecretFinding* commit = nullptr,
                  uint64_t column_base = 0);

 private:
  struct Position {
    uint32_t line, column, end_line, end_column;
  };

  // The matches starting in text[report_from, report_to) into matches_, by
  // position, generic duplicates dropped.
  void MatchInOrder(absl::string_view text, const std::string& rel,
                    size_t report_from, size_t report_to);

  // A match becomes a finding unless something allows it: `match` is its
  // text, `line` the line allowlists see, `source_line` the scanned line
  // holding it (for inline allow comments), `at` where it is reported.
  void Report(const SecretMatch& m, absl::string_view match,
              absl::string_view line, absl::string_view source_line,
              const Position& at, const std::string& rel,
              const SecretFinding* commit, std::vector<std::string> tags);

  // Encoded segments of text[report_from, report_to) decoded and scanned
  // again, up to the configured depth (secret_decoded_scan.cc).
  void ScanDecoded(absl::string_view text, const std::string& rel,
                   uint32_t line_base, size_t report_from, size_t report_to,
                   const SecretFinding* commit);

  // One finding per secret: where rules found the same secret (or one
  // containing the other) at the same place, only the most specific
  // rule's match stays — a named rule over a "generic" one (as gitleaks
  // does), then the one whose match has the least around the secret (the
  // token's own format, npm_..., over the context that names it,
  // _authToken=...), then the first rule of the set.
  void DropDuplicates(const SecretRuleSet& rules);

  // Rules without a regex report the file itself when its path matches.
  void ReportPathRules(const std::string& rel);

  SecretScanner& scanner_;
  SecretMatcher::Scratch scratch_;
  // The read buffer (chunk and overlap), left uninitialized: a small input
  // touches only the pages it fills, not the whole chunk.
  std::unique_ptr<char[]> buffer_;
  std::vector<SecretMatch> matches_;
  SecretScanResult result_;
  std::atomic<uint64_t> progress_files_{0}, progress_bytes_{0},
      progress_findings_{0}, progress_commits_{0};
};

// How often a scan reports progress.
constexpr absl::Duration kProgressEvery = absl::Milliseconds(250);

// The worker threads of one scan: each runs `body` with its own Worker;
// Finish waits for all of them, reporting progress meanwhile, and gathers
// their findings, stats and warnings into a result.
class WorkerGroup {
 public:
  WorkerGroup(SecretScanner& scanner, int threads,
              std::function<void(SecretScanner::Worker&)> body);
  ~WorkerGroup();  // joins threads Finish did not
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  // `base` holds what the caller counted itself (e.g. the directory walk).
  SecretScanStats Progress(const SecretScanStats& base) const;
  // Blocks until every body returned; `progress` (may be empty) hears the
  // running counts every 250 ms and the final ones at the end.
  void Finish(const std::function<void(const SecretScanStats&)>& progress,
              SecretScanResult& result);

 private:
  bool AllDone() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return done_ == static_cast<int>(threads_.size());
  }

  std::vector<std::unique_ptr<SecretScanner::Worker>> workers_;
  std::vector<std::thread> threads_;
  mutable absl::Mutex mu_;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  // Signalled as each worker ends. A CondVar, not Mutex::Await: Debian's
  // Abseil calibrates the CPU clock (3 ms asleep, the mutex's spin bit
  // held) on the first Await that waits — a cost on every small scan.
  absl::CondVar done_changed_;
};

// By commit, file, line, column and rule: reports come out the same order
// whatever the threads did.
void SortFindings(std::vector<SecretFinding>& findings);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_WORKER_H_
