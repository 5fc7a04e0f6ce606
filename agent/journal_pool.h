// JournalPool: journal files of pruned runs, kept to become the journals of
// new runs.
//
// On ext4 a run that creates a new file and a prune that unlinks an old one
// make the inode allocator scan past every recently deleted inode; with a
// steady stream of short runs that scan dominated the agent's time. A
// pruned journal is instead renamed into `dir` (off the hot path); a new
// run renames one back under its own name and overwrites it from the start
// (see journal.h). Files only move within one file system, so no inode is
// allocated or freed either way; and a spare keeps its bytes, so no data
// block is freed and allocated again either (each is a metadata commit at
// the run's fsync, and a discard on a file system mounted with `discard`).
// A journal larger than kKeepBytes is emptied before it is kept, so spares
// hold at most capacity * kKeepBytes.
//
// Spares are plain files named by number; a spare that cannot be reused is
// simply unlinked. Every move is a rename onto a free name
// (RENAME_NOREPLACE), so no journal or spare is ever replaced, also when
// another process shares the directory. Thread-safe.
#ifndef DSO_AGENT_JOURNAL_POOL_H_
#define DSO_AGENT_JOURNAL_POOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace dso {

class JournalPool {
 public:
  static constexpr uint64_t kKeepBytes = 64 << 10;

  // Keeps at most `capacity` spares in `dir` (created if missing); spares
  // left there by an earlier process are adopted.
  JournalPool(std::string dir, size_t capacity);

  // Moves a spare to `path` (which must not exist) and returns true;
  // false when there is no spare, or it could not be moved (ALREADY_EXISTS
  // in `error` when `path` exists: another run owns that name).
  bool TakeAs(const std::string& path, absl::Status* error);
  // Keeps the file at `path` as a spare (emptied if larger than
  // kKeepBytes), or unlinks it when the pool is full or the move fails.
  void Recycle(const std::string& path);

  size_t size() const;

 private:
  const std::string dir_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::vector<std::string> spares_ ABSL_GUARDED_BY(mu_);
  uint64_t next_name_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dso

#endif  // DSO_AGENT_JOURNAL_POOL_H_
