#include "runtime/journal_pool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "runtime/journal.h"

namespace dso {

JournalPool::JournalPool(std::string dir, size_t capacity)
    : dir_(std::move(dir)), capacity_(capacity) {
  // Two processes sharing a data dir (an agent and an embedded dsoctl)
  // name new journals from different random points.
  absl::MutexLock lock(&mu_);
  next_name_ = uint64_t{std::random_device{}()} << 24;
}

JournalPool::~JournalPool() {
  absl::MutexLock lock(&mu_);
  for (const auto& j : free_) close(j.fd);
}

absl::StatusOr<FreeJournal> JournalPool::Take() {
  while (true) {
    FreeJournal j;
    {
      absl::MutexLock lock(&mu_);
      if (free_.empty()) break;
      j = std::move(free_.back());
      free_.pop_back();
    }
    // One unlinked meanwhile (by hand) would hide the run's journal.
    struct stat st;
    if (fstat(j.fd, &st) == 0 && st.st_nlink > 0) return j;
    close(j.fd);
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    FreeJournal j;
    {
      absl::MutexLock lock(&mu_);
      j.path = absl::StrCat(dir_, "/", next_name_++, ".journal");
    }
    j.fd = open(j.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (j.fd < 0 && errno == EEXIST) continue;
    if (j.fd < 0) {
      int err = errno;
      std::string msg =
          absl::StrCat("cannot create journal '", j.path, "': ", strerror(err));
      if (err == ENOSPC || err == EDQUOT) {
        return absl::ResourceExhaustedError(msg);
      }
      return absl::InternalError(msg);
    }
    // An empty file is free: another process starting up may have taken it
    // in the instant before this lock.
    if (flock(j.fd, LOCK_EX | LOCK_NB) == 0) return j;
    close(j.fd);
  }
  return absl::InternalError(
      absl::StrCat("cannot create a new journal in '", dir_, "'"));
}

void JournalPool::Return(FreeJournal journal) {
  absl::MutexLock lock(&mu_);
  free_.push_back(std::move(journal));
}

int JournalPool::LockIfHolds(const std::string& path,
                             const std::string& run_id) {
  int fd = LockJournal(path, /*write=*/true);
  if (fd < 0) return -1;
  // Checked under the lock: whoever reuses a journal holds it while it
  // writes the new run's first record.
  auto holds = JournalRunId(fd, path);
  if (!holds.ok() || *holds != run_id) {
    close(fd);
    return -1;
  }
  return fd;
}

void JournalPool::Recycle(const std::string& path, const std::string& run_id) {
  int fd = LockIfHolds(path, run_id);
  if (fd >= 0) Keep(path, fd);
}

void JournalPool::AdoptFree(const std::string& path) { Recycle(path, ""); }

void JournalPool::Keep(const std::string& path, int fd) {
  bool room;
  {
    absl::MutexLock lock(&mu_);
    room = free_.size() < capacity_;
  }
  // A kept one ends at a block boundary, so a new run whose journal fits
  // neither allocates a block nor changes the file's size; a large one is
  // emptied (empty is free too).
  struct stat st;
  bool kept = room && fstat(fd, &st) == 0;
  if (kept) {
    uint64_t size = st.st_size;
    constexpr uint64_t kBlock = 4096;  // ext4's, and the page size
    uint64_t keep =
        size > kKeepBytes ? 0 : (size + kBlock - 1) / kBlock * kBlock;
    kept = (keep == size || ftruncate(fd, keep) == 0) &&
           (keep == 0 || MarkJournalFree(fd));
  }
  if (!kept) {
    unlink(path.c_str());  // still locked: nobody else reuses it meanwhile
    close(fd);
    return;
  }
  absl::MutexLock lock(&mu_);
  free_.push_back({path, fd});
}

size_t JournalPool::size() const {
  absl::MutexLock lock(&mu_);
  return free_.size();
}

}  // namespace dso
