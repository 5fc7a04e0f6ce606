#include "stages/scan/secrets/internal/secret_worker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "stages/core/finding.h"
#include "stages/scan/secrets/secret_filter.h"
#include "stages/scan/secrets/internal/text_lines.h"

namespace dso {
namespace {

// What a report shows of a match: the secret's mask with at most
// kMatchContext bytes of the match on either side (cut at a UTF-8
// boundary), so that a rule whose secret is a small part of a long match
// (a key's label in its PEM block, a config's rule) cannot put the rest of
// a credential into a report. No secret found in the match: all masked.
constexpr size_t kMatchContext = 64;

size_t Utf8Boundary(absl::string_view s, size_t at) {
  while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) {
    ++at;
  }
  return at;
}

std::string MaskedMatch(absl::string_view match, absl::string_view secret,
                        absl::string_view mask) {
  size_t at = secret.empty() ? absl::string_view::npos : match.find(secret);
  if (at == absl::string_view::npos) return MaskSecret(match);
  absl::string_view before = match.substr(0, at);
  absl::string_view after = match.substr(at + secret.size());
  std::string out;
  if (before.size() > kMatchContext) {
    out = "...";
    before = before.substr(Utf8Boundary(before, before.size() - kMatchContext));
  }
  bool cut = after.size() > kMatchContext;
  if (cut) after = after.substr(0, Utf8Boundary(after, kMatchContext));
  absl::StrAppend(&out, before, mask, after, cut ? "..." : "");
  return out;
}

// A file's first read: enough for most source files whole, and all that is
// read of a binary one (up to a chunk would be read otherwise).
constexpr size_t kFirstRead = 64 << 10;

// Moves a finished worker's stats, findings and warnings into `result`.
void CollectWorkerResult(SecretScanner::Worker& worker,
                         SecretScanResult& result) {
  const SecretScanStats& from = worker.result().stats;
  SecretScanStats& to = result.stats;
  to.files += from.files;
  to.bytes += from.bytes;
  to.findings += from.findings;
  to.binary_skipped += from.binary_skipped;
  to.allowlisted_files += from.allowlisted_files;
  to.symlinks_skipped += from.symlinks_skipped;
  to.special_skipped += from.special_skipped;
  to.unreadable += from.unreadable;
  to.suppressed += from.suppressed;
  to.placeholders += from.placeholders;
  to.commits += from.commits;
  to.ignored += from.ignored;
  for (auto& f : worker.result().findings) {
    result.findings.push_back(std::move(f));
  }
  worker.result().findings.clear();
  for (auto& m : worker.result().warnings) AddWarning(&result, std::move(m));
}

}  // namespace

WorkerGroup::WorkerGroup(SecretScanner& scanner, int threads,
                         std::function<void(SecretScanner::Worker&)> body) {
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<SecretScanner::Worker>(scanner));
  }
  for (auto& w : workers_) {
    threads_.emplace_back([this, body, w = w.get()] {
      body(*w);
      w->PublishProgress();
      absl::MutexLock lock(&mu_);
      ++done_;
      done_changed_.Signal();
    });
  }
}

WorkerGroup::~WorkerGroup() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

SecretScanStats WorkerGroup::Progress(const SecretScanStats& base) const {
  SecretScanStats s = base;
  for (const auto& w : workers_) w->AddProgress(s);
  return s;
}

void WorkerGroup::Finish(
    const std::function<void(const SecretScanStats&)>& progress,
    SecretScanResult& result) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      absl::Time next_progress = absl::Now() + kProgressEvery;
      while (!AllDone() &&
             !done_changed_.WaitWithDeadline(&mu_, next_progress)) {
      }
      if (AllDone()) break;
    }
    if (progress) progress(Progress(result.stats));
  }
  for (auto& t : threads_) t.join();
  for (auto& w : workers_) CollectWorkerResult(*w, result);
  SortFindings(result.findings);
  if (progress) progress(result.stats);
}

void SortFindings(std::vector<SecretFinding>& f) {
  std::sort(f.begin(), f.end(),
            [](const SecretFinding& a, const SecretFinding& b) {
              return std::tie(a.commit, a.file, a.line, a.column, a.rule) <
                     std::tie(b.commit, b.file, b.line, b.column, b.rule);
            });
}

SecretScanner::Worker::Worker(SecretScanner& scanner)
    : scanner_(scanner),
      scratch_(scanner.matcher_),
      buffer_(new char[scanner.options_.chunk_bytes +
                       scanner.options_.overlap_bytes]) {}

void SecretScanner::Worker::ScanFile(const std::string& abs,
                                     const std::string& rel) {
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
  ScanStream(fd, rel, static_cast<uint64_t>(st.st_size));
  close(fd);
}

void SecretScanner::Worker::ScanStream(int fd, const std::string& rel,
                                       uint64_t size) {
  ScanReader(
      [fd](char* buf, size_t n, std::string* error) -> ssize_t {
        while (true) {
          ssize_t got = read(fd, buf, n);
          if (got >= 0 || errno != EINTR) {
            if (got < 0) *error = std::strerror(errno);
            return got;
          }
        }
      },
      rel, size);
}

void SecretScanner::Worker::ScanReader(const SecretReadFn& read_some,
                                       const std::string& rel, uint64_t size) {
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
  uint64_t column_base = 0;  // of the buffer's first byte in its line
  bool first = true;
  uint64_t bytes = 0;
  // Decides on the file's first bytes: false (counted) when it is binary.
  auto text_file = [&](size_t len) {
    first = false;
    if (IsBinaryHead(absl::string_view(buffer_.get(), len))) {
      ++result_.stats.binary_skipped;
      return false;
    }
    ++result_.stats.files;
    return true;
  };
  while (true) {
    if (scanner_.options_.cancelled && scanner_.options_.cancelled()) return;
    size_t len = carry;
    bool eof = false;
    while (len < carry + chunk) {
      if (first && len >= kBinaryProbeBytes && !text_file(len)) return;
      size_t want = carry + chunk - len;
      if (first) want = std::min(want, kFirstRead - len);
      std::string error;
      ssize_t n = read_some(buffer_.get() + len, want, &error);
      if (n < 0) {
        ++result_.stats.unreadable;
        AddWarning(&result_, absl::StrCat(rel, ": read failed after ", bytes,
                                          " bytes: ", error));
        return;
      }
      if (n == 0) {
        eof = true;
        break;
      }
      len += static_cast<size_t>(n);
      bytes += static_cast<size_t>(n);
      if (bytes == size) {  // all the file had when opened: no EOF read
        eof = true;
        break;
      }
    }
    if (first && !text_file(len)) return;
    absl::string_view text(buffer_.get(), len);
    if (eof && len == carry && carry > 0) break;  // nothing new
    // The carried bytes' first half was reported with the last chunk and
    // stays as context; matches starting in the second half were left
    // for this one, which sees them whole.
    ScanBuffer(text, rel, line_base, carry / 2, eof ? len : len - overlap / 2,
               nullptr, column_base);
    result_.stats.bytes += len - carry;
    progress_bytes_.store(result_.stats.bytes, std::memory_order_relaxed);
    if (eof) break;
    absl::string_view done = text.substr(0, len - overlap);
    line_base += CountLines(done);
    size_t nl = done.rfind('\n');
    column_base = nl == absl::string_view::npos ? column_base + done.size()
                                                : done.size() - nl - 1;
    memmove(buffer_.get(), buffer_.get() + len - overlap, overlap);
    carry = overlap;
  }
  PublishProgress();
}

void SecretScanner::Worker::PublishProgress() {
  progress_files_.store(result_.stats.files, std::memory_order_relaxed);
  progress_bytes_.store(result_.stats.bytes, std::memory_order_relaxed);
  progress_findings_.store(result_.stats.findings, std::memory_order_relaxed);
  progress_commits_.store(result_.stats.commits, std::memory_order_relaxed);
}

void SecretScanner::Worker::AddProgress(SecretScanStats& s) const {
  s.files += progress_files_.load(std::memory_order_relaxed);
  s.bytes += progress_bytes_.load(std::memory_order_relaxed);
  s.findings += progress_findings_.load(std::memory_order_relaxed);
  s.commits += progress_commits_.load(std::memory_order_relaxed);
}

void SecretScanner::Worker::ScanBuffer(absl::string_view text,
                                       const std::string& rel,
                                       uint32_t line_base, size_t report_from,
                                       size_t report_to,
                                       const SecretFinding* commit,
                                       uint64_t column_base) {
  if (scanner_.options_.max_decode_depth > 0) {
    ScanDecoded(text, rel, line_base, report_from, report_to, commit);
  }
  MatchInOrder(text, rel, report_from, report_to);
  size_t pos = 0;
  uint32_t line = line_base;
  for (const SecretMatch& m : matches_) {
    line += CountLines(text.substr(pos, m.start - pos));
    pos = m.start;
    size_t begin = LineStart(text, m.start);
    size_t last = m.end > m.start ? m.end - 1 : m.start;
    absl::string_view match = text.substr(m.start, m.end - m.start);
    absl::string_view source = text.substr(begin, LineEnd(text, last) - begin);
    // Columns count from the line's start, which may lie in an earlier
    // chunk (a line longer than a chunk).
    auto column = [&](size_t at, size_t line_start) {
      uint64_t c = at - line_start + 1 + (line_start == 0 ? column_base : 0);
      return static_cast<uint32_t>(std::min<uint64_t>(c, UINT32_MAX));
    };
    Position at{line, column(m.start, begin), line + CountLines(match),
                column(last, LineStart(text, last))};
    Report(m, match, source, source, at, rel, commit, {});
  }
}

void SecretScanner::Worker::MatchInOrder(absl::string_view text,
                                         const std::string& rel,
                                         size_t report_from, size_t report_to) {
  matches_.clear();
  scanner_.matcher_.Match(text, rel, report_from, report_to, scratch_,
                          &matches_);
  std::sort(matches_.begin(), matches_.end(),
            [](const SecretMatch& a, const SecretMatch& b) {
              return a.start < b.start;
            });
  DropDuplicates(scanner_.matcher_.rules());
}

void SecretScanner::Worker::Report(
    const SecretMatch& m, absl::string_view match, absl::string_view line,
    absl::string_view source_line, const Position& at, const std::string& rel,
    const SecretFinding* commit, std::vector<std::string> tags) {
  const auto& rules = scanner_.matcher_.rules();
  MatchContext ctx{rel, commit ? commit->commit : "", m.secret, match, line};
  const SecretRule& rule = rules.rules[m.rule];
  if (HasInlineAllow(source_line) || AnyAllows(rules.allowlists, ctx) ||
      AnyAllows(rule.allowlists, ctx)) {
    ++result_.stats.suppressed;
    return;
  }
  if (IsPlaceholder(m.secret) || (absl::StrContains(rule.id, "generic") &&
                                  LooksLikeIdentifier(m.secret, match))) {
    ++result_.stats.placeholders;
    return;
  }
  SecretFinding f = commit ? *commit : SecretFinding();
  f.rule = m.rule;
  f.file = rel;
  f.line = at.line;
  f.column = at.column;
  f.end_line = at.end_line;
  f.end_column = at.end_column;
  f.entropy = m.entropy;
  f.tags = std::move(tags);
  if (scanner_.options_.ignored_fingerprints.count(f.Fingerprint(rule.id))) {
    ++result_.stats.suppressed;
    return;
  }
  f.secret = MaskSecret(m.secret);
  f.match = MaskedMatch(match, m.secret, f.secret);
  ++result_.stats.findings;
  result_.findings.push_back(std::move(f));
}

void SecretScanner::Worker::DropDuplicates(const SecretRuleSet& rules) {
  // Smaller is more specific.
  auto rank = [&](const SecretMatch& m) {
    return std::make_tuple(absl::StrContains(rules.rules[m.rule].id, "generic"),
                           (m.end - m.start) - m.secret.size(), m.rule);
  };
  std::vector<bool> dropped(matches_.size(), false);
  // Sorted by start: each match meets only those that start before it ends.
  for (size_t i = 0; i < matches_.size(); ++i) {
    const SecretMatch& a = matches_[i];
    for (size_t k = i + 1; k < matches_.size() && matches_[k].start < a.end;
         ++k) {
      const SecretMatch& b = matches_[k];
      if (a.secret.empty() || b.secret.empty() ||
          (!absl::StrContains(a.secret, b.secret) &&
           !absl::StrContains(b.secret, a.secret))) {
        continue;
      }
      dropped[rank(a) < rank(b) ? k : i] = true;
    }
  }
  size_t out = 0;
  for (size_t i = 0; i < matches_.size(); ++i) {
    if (dropped[i]) continue;
    if (out != i) matches_[out] = std::move(matches_[i]);
    ++out;
  }
  matches_.resize(out);
}

void SecretScanner::Worker::ReportPathRules(const std::string& rel) {
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
    if (scanner_.options_.ignored_fingerprints.count(f.Fingerprint(rule.id))) {
      ++result_.stats.suppressed;
      continue;
    }
    ++result_.stats.findings;
    result_.findings.push_back(std::move(f));
  }
}

}  // namespace dso
