// JournalPool: free journal files, kept open to become the journals of new
// runs.
//
// Journals are named by number (<dir>/<n>.journal), not by run: the run a
// journal holds is the one its first record names (journal.h). When a run
// is pruned its journal is marked free (an end mark at its start) and kept
// open here; a new run takes it and overwrites it from the start. So a run
// neither creates, renames nor unlinks a file, and no block is freed and
// allocated again: on ext4 each of those is a metadata write at the run's
// fsync (and a discard on a file system mounted with `discard`), and
// creating and unlinking a file per run made the inode allocator scan past
// every recently freed inode. A journal larger than kKeepBytes is emptied
// before it is kept, so free ones hold at most capacity * kKeepBytes.
//
// Each free journal is held open with an exclusive flock, so another process
// sharing the data dir never takes it; and a journal is only marked free
// under that lock and while its first record still names the pruned run, so
// a journal another process reused already is never touched. Thread-safe.
#ifndef DSO_RUNTIME_JOURNAL_POOL_H_
#define DSO_RUNTIME_JOURNAL_POOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace dso {

// A free journal: open read-write and flock()ed. Whoever holds it owns
// the descriptor.
struct FreeJournal {
  std::string path;
  int fd = -1;
};

class JournalPool {
 public:
  static constexpr uint64_t kKeepBytes = 64 << 10;

  // Keeps at most `capacity` free journals; new ones are created in `dir`.
  JournalPool(std::string dir, size_t capacity);
  ~JournalPool();  // closes the free journals (they stay free on disk)
  JournalPool(const JournalPool&) = delete;
  JournalPool& operator=(const JournalPool&) = delete;

  // A free journal from the pool, or a new empty file.
  absl::StatusOr<FreeJournal> Take();
  // Gives back a journal Take returned and nothing was written to.
  void Return(FreeJournal journal);
  // The journal at `path` of the pruned run `run_id`: marked free and kept,
  // or unlinked when the pool is full. Left alone when another process
  // holds it or it no longer holds that run.
  void Recycle(const std::string& path, const std::string& run_id);
  // A journal found free at startup: kept (or unlinked when the pool is
  // full) unless another process holds it or took it meanwhile.
  void AdoptFree(const std::string& path);

  size_t size() const;

 private:
  // Locks the journal at `path` if its first record names `run_id` ("":
  // free). -1 if not, or if another process holds it.
  static int LockIfHolds(const std::string& path, const std::string& run_id);
  // Keeps the locked journal, emptied if large and marked free; unlinks it
  // when the pool is full.
  void Keep(const std::string& path, int fd);

  const std::string dir_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::vector<FreeJournal> free_ ABSL_GUARDED_BY(mu_);
  uint64_t next_name_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace dso

#endif  // DSO_RUNTIME_JOURNAL_POOL_H_
