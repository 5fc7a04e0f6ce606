#include "stages/scan/secrets/secret_scanner.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
#include "stages/scan/secrets/internal/secret_worker.h"

namespace dso {
namespace {

constexpr size_t kMaxWarnings = 100;

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

SecretScanner::SecretScanner(const SecretMatcher& matcher,
                             SecretScanOptions options)
    : matcher_(matcher), options_(std::move(options)) {
  options_.chunk_bytes = std::max<size_t>(options_.chunk_bytes, 4096);
  options_.overlap_bytes =
      std::min(options_.overlap_bytes, options_.chunk_bytes / 2);
}

namespace {

// Files found by the walk, waiting for a worker. Bounded: the walk waits
// when the workers fall behind.
class FileQueue {
 public:
  void Push(std::string abs, std::string rel) {
    absl::MutexLock lock(&mu_, absl::Condition(this, &FileQueue::HasRoom));
    draining_ = false;
    items_.emplace_back(std::move(abs), std::move(rel));
    if (items_.size() >= kMaxItems) draining_ = true;
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

 private:
  // A full queue lets the walk go on only once it is half empty, so walk
  // and workers do not wake each other for every file.
  static constexpr size_t kMaxItems = 4096;
  bool HasRoom() const {
    return items_.size() < (draining_ ? kMaxItems / 2 : kMaxItems);
  }
  bool Ready() const { return !items_.empty() || closed_; }

  absl::Mutex mu_;
  std::deque<std::pair<std::string, std::string>> items_;
  bool closed_ = false;
  bool draining_ = false;
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
  FileQueue queue;
  WorkerGroup group(*this, WorkerCount(), [&queue](Worker& w) {
    std::pair<std::string, std::string> item;
    while (queue.Pop(&item)) w.ScanFile(item.first, item.second);
  });
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
        if (lstat(child_abs.c_str(), &cst) != 0) {
          ++result.stats.unreadable;
          AddWarning(
              &result,
              absl::StrCat(child_rel, ": cannot stat: ", std::strerror(errno)));
          continue;
        }
        type = S_ISDIR(cst.st_mode)   ? DT_DIR
               : S_ISREG(cst.st_mode) ? DT_REG
               : S_ISLNK(cst.st_mode) ? DT_LNK
                                      : DT_UNKNOWN;
      }
      if (type == DT_DIR && name == ".git") continue;
      if (options_.skip_path &&
          options_.skip_path(type == DT_DIR ? child_rel + "/" : child_rel)) {
        ++result.stats.ignored;
        continue;
      }
      if (type == DT_DIR) {
        if (ExcludesFile(globals, child_rel, "")) {
          ++result.stats.allowlisted_files;
          continue;
        }
        dirs.emplace_back(std::move(child_abs), std::move(child_rel));
      } else if (type == DT_REG) {
        queue.Push(std::move(child_abs), std::move(child_rel));
      } else if (type == DT_LNK) {
        ++result.stats.symlinks_skipped;
      } else {
        ++result.stats.special_skipped;  // a FIFO is never waited on
      }
    }
    closedir(d);
    if (options_.progress && absl::Now() >= next_progress) {
      options_.progress(group.Progress(result.stats));
      next_progress = absl::Now() + kProgressEvery;
    }
  }
  queue.Close();
  group.Finish(options_.progress, result);
  return result;
}

int SecretScanner::WorkerCount() const {
  return options_.threads > 0 ? options_.threads
                              : static_cast<int>(std::max(
                                    1u, std::thread::hardware_concurrency()));
}

SecretScanner::Sequence::Sequence(SecretScanner& scanner)
    : worker_(std::make_unique<Worker>(scanner)) {}

SecretScanner::Sequence::~Sequence() = default;

void SecretScanner::Sequence::Scan(const SecretReadFn& read_some,
                                   const std::string& name, uint64_t size) {
  worker_->ScanReader(read_some, name, size);
}

SecretScanResult SecretScanner::Sequence::Finish() {
  SortFindings(worker_->result().findings);
  return std::move(worker_->result());
}

SecretScanResult SecretScanner::ScanFd(int fd, const std::string& name) {
  Worker w(*this);
  w.ScanStream(fd, name);
  SortFindings(w.result().findings);
  return std::move(w.result());
}

}  // namespace dso
