// SecretScanner: runs a SecretMatcher over files, directory trees and
// streams. Files are read in chunks (with an overlap, so a match across a
// chunk boundary is found whole), never whole into memory; binary files
// are skipped; a directory's files are spread over worker threads.
//
//   SecretScanner scanner(*matcher, options);
//   absl::StatusOr<SecretScanResult> r = scanner.ScanDirectory("/src");
//
// Findings carry the secret only masked (MaskSecret); the full value never
// leaves the worker that found it.
#ifndef DSO_STAGES_SCAN_SECRETS_SECRET_SCANNER_H_
#define DSO_STAGES_SCAN_SECRETS_SECRET_SCANNER_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/scan/secrets/internal/secret_matcher.h"

struct git_repository;
namespace dso {
class GitObjectReader;
class GitTreeCache;
struct GitHistoryCommit;
}  // namespace dso
struct git_oid;

namespace dso {

struct SecretFinding {
  size_t rule = 0;                // index into the matcher's rules
  std::string file;               // relative to the scanned root, '/'-separated
  uint32_t line = 0, column = 0;  // 1-based, of the match's start
  uint32_t end_line = 0, end_column = 0;  // of its last character
  std::string secret;                     // masked
  std::string match;  // masked (the secret's characters replaced)
  double entropy = 0;
  // Decoded findings: "decoded:base64", "decode-depth:1" (as gitleaks).
  std::vector<std::string> tags;
  // Git history only.
  std::string commit, author, email, date, message;

  // gitleaks' fingerprint: [commit:]file:rule:line.
  std::string Fingerprint(const std::string& rule_id) const;
};

struct SecretScanStats {
  uint64_t files = 0;  // scanned
  uint64_t bytes = 0;
  uint64_t findings = 0;
  uint64_t binary_skipped = 0;
  uint64_t allowlisted_files = 0;
  uint64_t symlinks_skipped = 0;
  uint64_t special_skipped = 0;  // FIFOs, sockets, devices: never read
  uint64_t unreadable = 0;       // files and directories that failed to read
  uint64_t suppressed = 0;       // allowlists, inline allows, ignore file
  uint64_t placeholders = 0;     // matches that were obvious placeholders
  uint64_t commits = 0;          // git history: commits read
  uint64_t ignored = 0;          // paths skip_path (.gitignore) left out
};

struct SecretScanResult {
  std::vector<SecretFinding> findings;  // sorted by file, line, column
  SecretScanStats stats;
  std::vector<std::string> warnings;  // the first 100, then a count
};

// A file is binary, and not scanned, when a NUL byte is among its first
// kBinaryProbeBytes (as git judges); `head` is at least that much of it,
// or all of a shorter file.
inline constexpr size_t kBinaryProbeBytes = 8000;
inline bool IsBinaryHead(absl::string_view head) {
  return head.substr(0, kBinaryProbeBytes).find('\0') !=
         absl::string_view::npos;
}

struct SecretScanOptions {
  int threads = 0;                   // 0: one per core
  size_t chunk_bytes = 4 << 20;      // read this much of a file at a time
  size_t overlap_bytes = 128 << 10;  // half: the longest match found whole
  // Passes of decoding encoded text (base64, hex, percent) and scanning it
  // again; 0 turns decoding off. gitleaks' default is 5 too.
  int max_decode_depth = 5;
  // Fingerprints ([commit:]file:rule:line) not to report (.gitleaksignore).
  std::set<std::string> ignored_fingerprints;
  // Called now and then from one thread while scanning.
  std::function<void(const SecretScanStats&)> progress;
  // Polled between files and chunks; true stops the scan.
  std::function<bool()> cancelled;
  // Directory scans: paths (relative to the root; directories end in '/')
  // for which this returns true are left out, e.g. GitIgnoreFilter's.
  std::function<bool(const std::string& rel)> skip_path;
};

// Reads up to `n` bytes into `buf`: the count, 0 at the end, or -1 with
// `error` set.
using SecretReadFn =
    std::function<ssize_t(char* buf, size_t n, std::string* error)>;

class SecretScanner {
 public:
  // One thread's scanning state (secret_worker.h); internal.
  class Worker;

  SecretScanner(const SecretMatcher& matcher, SecretScanOptions options);

  // Every regular file under `root` (symlinks are not followed; .git
  // directories are skipped). Fails only when `root` itself is unusable.
  absl::StatusOr<SecretScanResult> ScanDirectory(const std::string& root);

  // The lines every commit of a git repository added (all refs, as `git
  // log --all`; merge commits add nothing of their own), with commit id,
  // author, date and message in each finding. With `since` (any revision
  // git understands), only commits not reachable from it. Fails when the
  // repository or `since` cannot be opened; unreadable objects are
  // warnings.
  absl::StatusOr<SecretScanResult> ScanGitHistory(const std::string& repo,
                                                  const std::string& since);

  // One stream (stdin for pre-commit hooks), reported under `name`.
  SecretScanResult ScanFd(int fd, const std::string& name);

  // Streams scanned one after another on the calling thread, each under its
  // own name: for sources read in order, such as the files of a tar.
  class Sequence {
   public:
    explicit Sequence(SecretScanner& scanner);
    ~Sequence();
    // `size` when known (a tar entry's), else Worker::kUnknownSize.
    void Scan(const SecretReadFn& read_some, const std::string& name,
              uint64_t size);
    SecretScanResult Finish();  // sorted findings; once

   private:
    std::unique_ptr<Worker> worker_;
  };

  const SecretMatcher& matcher() const { return matcher_; }

 private:
  int WorkerCount() const;  // options_.threads, else one per core
  // One commit's added lines (secret_git.cc).
  void ScanCommit(git_repository* repo, GitObjectReader& reader,
                  GitTreeCache& trees, const GitHistoryCommit& commit,
                  Worker& w);

  const SecretMatcher& matcher_;
  SecretScanOptions options_;
};

// A skip_path that follows the .gitignore files, .git/info/exclude and
// core.excludesFile of the git repository holding `root`.
absl::StatusOr<std::function<bool(const std::string&)>> GitIgnoreFilter(
    const std::string& root);

// Appends "warning" to result, keeping at most 100 messages.
void AddWarning(SecretScanResult* result, std::string warning);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_SECRET_SCANNER_H_
