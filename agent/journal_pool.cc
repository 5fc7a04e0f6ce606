#include "agent/journal_pool.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace dso {

JournalPool::JournalPool(std::string dir, size_t capacity)
    : dir_(std::move(dir)), capacity_(capacity) {
  // Two processes sharing a data dir (an agent and an embedded dsoctl)
  // name their spares from different random points, so neither replaces
  // the other's.
  next_name_ = uint64_t{std::random_device{}()} << 24;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  absl::MutexLock lock(&mu_);
  for (const auto& d : std::filesystem::directory_iterator(dir_, ec)) {
    uint64_t n;
    std::string name = d.path().filename().string();
    struct stat st;
    // Only small regular files named by number are spares; anything else
    // found here (say, one a crash caught before it was emptied) goes.
    if (!absl::SimpleAtoi(name, &n) || lstat(d.path().c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode) ||
        static_cast<uint64_t>(st.st_size) > kKeepBytes ||
        spares_.size() >= capacity_) {
      std::filesystem::remove_all(d.path(), ec);
      continue;
    }
    spares_.push_back(d.path().string());
    next_name_ = std::max(next_name_, n + 1);
  }
}

bool JournalPool::TakeAs(const std::string& path, absl::Status* error) {
  std::string spare;
  {
    absl::MutexLock lock(&mu_);
    if (spares_.empty()) return false;
    spare = std::move(spares_.back());
    spares_.pop_back();
  }
  if (renameat2(AT_FDCWD, spare.c_str(), AT_FDCWD, path.c_str(),
                RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno == EEXIST) {
    *error = absl::AlreadyExistsError(
        absl::StrCat("journal '", path, "' exists already"));
    absl::MutexLock lock(&mu_);
    spares_.push_back(std::move(spare));
    return false;
  }
  unlink(spare.c_str());  // a spare that cannot move is of no use
  return false;
}

void JournalPool::Recycle(const std::string& path) {
  std::string spare;
  {
    absl::MutexLock lock(&mu_);
    if (spares_.size() < capacity_)
      spare = absl::StrCat(dir_, "/", next_name_++);
  }
  if (spare.empty() || renameat2(AT_FDCWD, path.c_str(), AT_FDCWD,
                                 spare.c_str(), RENAME_NOREPLACE) != 0) {
    unlink(path.c_str());
    return;
  }
  // A large one is emptied once out of the runs (a crash in between leaves
  // a large spare, which the next start-up deletes, not an empty journal).
  // A kept one is made to end at a block boundary, so a new run whose
  // journal fits neither allocates a block nor changes the file's size.
  struct stat st;
  if (stat(spare.c_str(), &st) != 0) {
    unlink(spare.c_str());
    return;
  }
  uint64_t size = st.st_size;
  constexpr uint64_t kBlock = 4096;  // ext4's, and the page size
  uint64_t keep = size > kKeepBytes ? 0 : (size + kBlock - 1) / kBlock * kBlock;
  if (keep != size && truncate(spare.c_str(), keep) != 0) {
    unlink(spare.c_str());
    return;
  }
  absl::MutexLock lock(&mu_);
  spares_.push_back(std::move(spare));
}

size_t JournalPool::size() const {
  absl::MutexLock lock(&mu_);
  return spares_.size();
}

}  // namespace dso
