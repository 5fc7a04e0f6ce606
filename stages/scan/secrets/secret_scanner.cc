#include "stages/scan/secrets/secret_scanner.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "stages/core/finding.h"
#include "stages/scan/secrets/secret_filter.h"

namespace dso {
namespace {

constexpr size_t kMaxWarnings = 100;
constexpr size_t kBinaryProbe = 8000;  // as git: a NUL in here = binary
constexpr absl::Duration kProgressEvery = absl::Milliseconds(250);

uint32_t CountLines(absl::string_view text) {
  return static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n'));
}

// Offset of the first byte of the line holding text[pos].
size_t LineStart(absl::string_view text, size_t pos) {
  size_t nl = pos == 0 ? absl::string_view::npos : text.rfind('\n', pos - 1);
  return nl == absl::string_view::npos ? 0 : nl + 1;
}

void Merge(const SecretScanStats& from, SecretScanStats& to) {
  to.files += from.files;
  to.bytes += from.bytes;
  to.findings += from.findings;
  to.binary_skipped += from.binary_skipped;
  to.allowlisted_files += from.allowlisted_files;
  to.symlinks_skipped += from.symlinks_skipped;
  to.unreadable += from.unreadable;
  to.suppressed += from.suppressed;
  to.placeholders += from.placeholders;
}

}  // namespace

std::string SecretFinding::Fingerprint(const std::string& rule_id) const {
  return commit.empty()
             ? absl::StrCat(file, ":", rule_id, ":", line)
             : absl::StrCat(commit, ":", file, ":", rule_id, ":", line);
}

void AddWarning(SecretScanResult* result, std::string warning) {
  if (result->warnings.size() < kMaxWarnings) {
    result->warnings.push_back(std::move(warning));
  } else if (result->warnings.size() == kMaxWarnings) {
    result->warnings.push_back("(further warnings left out)");
  }
}

// One thread's scanning state: its Hyperscan scratch, its read buffer and
// what it found. Not shared.
class SecretScanner::Worker {
 public:
  explicit Worker(SecretScanner& scanner)
      : scanner_(scanner),
        scratch_(scanner.matcher_),
        buffer_(scanner.options_.chunk_bytes + scanner.options_.overlap_bytes) {
  }

  SecretScanResult& result() { return result_; }

  void ScanFile(const std::string& abs, const std::string& rel) {
    int fd = open(abs.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      ++result_.stats.unreadable;
      AddWarning(&result_,
                 absl::StrCat(rel, ": cannot open: ", std::strerror(errno)));
      return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      return;  // replaced by something else since the walk saw it
    }
    ScanStream(fd, rel);
    close(fd);
  }

  void ScanStream(int fd, const std::string& rel) {
    const auto& rules = scanner_.matcher_.rules();
    if (ExcludesFile(rules.allowlists, rel, "")) {
      ++result_.stats.allowlisted_files;
      return;
    }
    ReportPathRules(rel);
    const size_t chunk = scanner_.options_.chunk_bytes;
    const size_t overlap = scanner_.options_.overlap_bytes;
    size_t carry = 0;  // bytes at the buffer's start from the last chunk
    uint32_t line_base = 1;
    bool first = true;
    uint64_t bytes = 0;
    while (true) {
      if (scanner_.options_.cancelled && scanner_.options_.cancelled()) return;
      size_t len = carry;
      bool eof = false;
      while (len < carry + chunk) {
        ssize_t n = read(fd, buffer_.data() + len, carry + chunk - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          ++result_.stats.unreadable;
          AddWarning(&result_, absl::StrCat(rel, ": read failed after ", bytes,
                                            " bytes: ", std::strerror(errno)));
          return;
        }
        if (n == 0) {
          eof = true;
          break;
        }
        len += static_cast<size_t>(n);
        bytes += static_cast<size_t>(n);
      }
      absl::string_view text(buffer_.data(), len);
      if (first) {
        if (memchr(text.data(), '\0', std::min(len, kBinaryProbe))) {
          ++result_.stats.binary_skipped;
          return;
        }
        ++result_.stats.files;
        first = false;
      }
      if (eof && len == carry && carry > 0) break;  // nothing new
      // The carried bytes' first half was reported with the last chunk and
      // stays as context; matches starting in the second half were left
      // for this one, which sees them whole.
      ScanBuffer(text, rel, line_base, carry / 2,
                 eof ? len : len - overlap / 2);
      result_.stats.bytes += len - carry;
      progress_bytes_.store(result_.stats.bytes, std::memory_order_relaxed);
      if (eof) break;
      line_base += CountLines(text.substr(0, len - overlap));
      memmove(buffer_.data(), buffer_.data() + len - overlap, overlap);
      carry = overlap;
    }
    progress_files_.store(result_.stats.files, std::memory_order_relaxed);
    progress_findings_.store(result_.stats.findings, std::memory_order_relaxed);
  }

  // What this worker has done so far; safe to call from another thread.
  void AddProgress(SecretScanStats& s) const {
    s.files += progress_files_.load(std::memory_order_relaxed);
    s.bytes += progress_bytes_.load(std::memory_order_relaxed);
    s.findings += progress_findings_.load(std::memory_order_relaxed);
  }

  // Matches in `text` starting in [report_from, report_to) become findings
  // unless something allows them.
  void ScanBuffer(absl::string_view text, const std::string& rel,
                  uint32_t line_base, size_t report_from, size_t report_to,
                  const SecretFinding* commit = nullptr) {
    matches_.clear();
    scanner_.matcher_.Match(text, rel, report_from, report_to, scratch_,
                            &matches_);
    if (matches_.empty()) return;
    std::sort(matches_.begin(), matches_.end(),
              [](const SecretMatch& a, const SecretMatch& b) {
                return a.start < b.start;
              });
    const auto& rules = scanner_.matcher_.rules();
    DropGenericDuplicates(rules);
    size_t pos = 0;
    uint32_t line = line_base;
    for (const SecretMatch& m : matches_) {
      line += CountLines(text.substr(pos, m.start - pos));
      pos = m.start;
      size_t begin = LineStart(text, m.start);
      size_t last = m.end > m.start ? m.end - 1 : m.start;
      size_t line_end = text.find('\n', last);
      if (line_end == absl::string_view::npos) line_end = text.size();
      absl::string_view match = text.substr(m.start, m.end - m.start);
      MatchContext ctx{rel, commit ? commit->commit : "", m.secret, match,
                       text.substr(begin, line_end - begin)};
      const SecretRule& rule = rules.rules[m.rule];
      if (HasInlineAllow(ctx.line) || AnyAllows(rules.allowlists, ctx) ||
          AnyAllows(rule.allowlists, ctx)) {
        ++result_.stats.suppressed;
        continue;
      }
      if (IsPlaceholder(m.secret)) {
        ++result_.stats.placeholders;
        continue;
      }
      SecretFinding f = commit ? *commit : SecretFinding();
      f.rule = m.rule;
      f.file = rel;
      f.line = line;
      f.column = static_cast<uint32_t>(m.start - begin + 1);
      f.end_line = line + CountLines(match);
      f.end_column = static_cast<uint32_t>(last - LineStart(text, last) + 1);
      f.entropy = m.entropy;
      if (scanner_.options_.ignored_fingerprints.count(
              f.Fingerprint(rule.id))) {
        ++result_.stats.suppressed;
        continue;
      }
      f.secret = MaskSecret(m.secret);
      size_t at =
          m.secret.empty() ? absl::string_view::npos : match.find(m.secret);
      f.match = at == absl::string_view::npos
                    ? MaskSecret(match)
                    : absl::StrCat(match.substr(0, at), f.secret,
                                   match.substr(at + m.secret.size()));
      ++result_.stats.findings;
      result_.findings.push_back(std::move(f));
    }
  }

 private:
  // As gitleaks: a "generic" rule's match is dropped where a specific rule
  // found the same secret (or one containing it) at the same place.
  void DropGenericDuplicates(const SecretRuleSet& rules) {
    auto generic = [&](const SecretMatch& m) {
      return absl::StrContains(absl::AsciiStrToLower(rules.rules[m.rule].id),
                               "generic");
    };
    std::vector<SecretMatch> kept;
    for (const SecretMatch& m : matches_) {
      bool covered = false;
      if (generic(m)) {
        for (const SecretMatch& o : matches_) {
          if (&o != &m && !generic(o) && o.start < m.end && m.start < o.end &&
              absl::StrContains(o.secret, m.secret)) {
            covered = true;
            break;
          }
        }
      }
      if (!covered) kept.push_back(m);
    }
    matches_.swap(kept);
  }

  // Rules without a regex report the file itself when its path matches.
  void ReportPathRules(const std::string& rel) {
    const auto& rules = scanner_.matcher_.rules();
    for (size_t r : scanner_.matcher_.path_only_rules()) {
      const SecretRule& rule = rules.rules[r];
      if (!RE2::PartialMatch(rel, *rule.path)) continue;
      MatchContext ctx{rel, "", "", "", ""};
      if (AnyAllows(rule.allowlists, ctx)) {
        ++result_.stats.suppressed;
        continue;
      }
      SecretFinding f;
      f.rule = r;
      f.file = rel;
      f.match = absl::StrCat("file detected: ", rel);
      if (scanner_.options_.ignored_fingerprints.count(
              f.Fingerprint(rule.id))) {
        ++result_.stats.suppressed;
        continue;
      }
      ++result_.stats.findings;
      result_.findings.push_back(std::move(f));
    }
  }

  SecretScanner& scanner_;
  SecretMatcher::Scratch scratch_;
  std::vector<char> buffer_;
  std::vector<SecretMatch> matches_;
  SecretScanResult result_;
  std::atomic<uint64_t> progress_files_{0}, progress_bytes_{0},
      progress_findings_{0};
};

SecretScanner::SecretScanner(const SecretMatcher& matcher,
                             SecretScanOptions options)
    : matcher_(matcher), options_(std::move(options)) {
  options_.chunk_bytes = std::max<size_t>(options_.chunk_bytes, 4096);
  options_.overlap_bytes =
      std::min(options_.overlap_bytes, options_.chunk_bytes / 2);
}

namespace {

void SortFindings(std::vector<SecretFinding>& f) {
  std::sort(f.begin(), f.end(),
            [](const SecretFinding& a, const SecretFinding& b) {
              return std::tie(a.commit, a.file, a.line, a.column, a.rule) <
                     std::tie(b.commit, b.file, b.line, b.column, b.rule);
            });
}

// Files found by the walk, waiting for a worker. Bounded: the walk waits
// when the workers fall behind.
class FileQueue {
 public:
  explicit FileQueue(int workers) : workers_(workers) {}

  void Push(std::string abs, std::string rel) {
    absl::MutexLock lock(&mu_, absl::Condition(this, &FileQueue::HasRoom));
    items_.emplace_back(std::move(abs), std::move(rel));
  }
  bool Pop(std::pair<std::string, std::string>* item) {
    absl::MutexLock lock(&mu_, absl::Condition(this, &FileQueue::Ready));
    if (items_.empty()) return false;
    *item = std::move(items_.front());
    items_.pop_front();
    return true;
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  void WorkerDone() {
    absl::MutexLock lock(&mu_);
    ++done_;
  }
  // Waits up to `timeout` for every worker to finish.
  bool AwaitWorkers(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(this, &FileQueue::AllDone),
                                timeout);
  }

 private:
  bool HasRoom() const { return items_.size() < 4096; }
  bool Ready() const { return !items_.empty() || closed_; }
  bool AllDone() const { return done_ == workers_; }

  absl::Mutex mu_;
  std::deque<std::pair<std::string, std::string>> items_;
  bool closed_ = false;
  int done_ = 0;
  const int workers_;
};

}  // namespace

absl::StatusOr<SecretScanResult> SecretScanner::ScanDirectory(
    const std::string& root) {
  struct stat st;
  if (stat(root.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot scan '", root, "': ", std::strerror(errno)));
  }
  SecretScanResult result;
  if (S_ISREG(st.st_mode)) {
    Worker w(*this);
    std::string name = root.substr(root.rfind('/') + 1);
    w.ScanFile(root, name);
    result = std::move(w.result());
    SortFindings(result.findings);
    return result;
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot scan '", root, "': neither a directory nor a regular file"));
  }
  int n = options_.threads > 0
              ? options_.threads
              : std::max(1u, std::thread::hardware_concurrency());
  FileQueue queue(n);
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    workers.push_back(std::make_unique<Worker>(*this));
    threads.emplace_back([&queue, w = workers.back().get()] {
      std::pair<std::string, std::string> item;
      while (queue.Pop(&item)) w->ScanFile(item.first, item.second);
      queue.WorkerDone();
    });
  }
  auto snapshot = [&] {
    SecretScanStats s = result.stats;
    for (auto& w : workers) w->AddProgress(s);
    return s;
  };
  absl::Time next_progress = absl::Now() + kProgressEvery;
  // Depth-first walk; symlinks are counted, not followed.
  std::vector<std::pair<std::string, std::string>> dirs{{root, ""}};
  const auto& globals = matcher_.rules().allowlists;
  while (!dirs.empty()) {
    if (options_.cancelled && options_.cancelled()) break;
    auto [abs, rel] = std::move(dirs.back());
    dirs.pop_back();
    DIR* d = opendir(abs.c_str());
    if (!d) {
      ++result.stats.unreadable;
      AddWarning(&result,
                 absl::StrCat(rel.empty() ? "." : rel,
                              ": cannot list: ", std::strerror(errno)));
      continue;
    }
    while (struct dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string child_abs = absl::StrCat(abs, "/", name);
      std::string child_rel = rel.empty() ? name : absl::StrCat(rel, "/", name);
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat cst;
        if (lstat(child_abs.c_str(), &cst) != 0) continue;
        type = S_ISDIR(cst.st_mode)   ? DT_DIR
               : S_ISREG(cst.st_mode) ? DT_REG
               : S_ISLNK(cst.st_mode) ? DT_LNK
                                      : DT_UNKNOWN;
      }
      if (type == DT_DIR) {
        if (name == ".git") continue;
        if (ExcludesFile(globals, child_rel, "")) {
          ++result.stats.allowlisted_files;
          continue;
        }
        dirs.emplace_back(std::move(child_abs), std::move(child_rel));
      } else if (type == DT_REG) {
        queue.Push(std::move(child_abs), std::move(child_rel));
      } else if (type == DT_LNK) {
        ++result.stats.symlinks_skipped;
      }
    }
    closedir(d);
    if (options_.progress && absl::Now() >= next_progress) {
      options_.progress(snapshot());
      next_progress = absl::Now() + kProgressEvery;
    }
  }
  queue.Close();
  while (!queue.AwaitWorkers(kProgressEvery)) {
    if (options_.progress) options_.progress(snapshot());
  }
  for (auto& t : threads) t.join();
  for (auto& w : workers) {
    Merge(w->result().stats, result.stats);
    for (auto& f : w->result().findings)
      result.findings.push_back(std::move(f));
    for (auto& m : w->result().warnings) AddWarning(&result, std::move(m));
  }
  SortFindings(result.findings);
  if (options_.progress) options_.progress(result.stats);
  return result;
}

SecretScanResult SecretScanner::ScanFd(int fd, const std::string& name) {
  Worker w(*this);
  w.ScanStream(fd, name);
  SortFindings(w.result().findings);
  return std::move(w.result());
}

}  // namespace dso
