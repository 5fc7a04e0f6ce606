// The run journal: an append-only file of a run's events.
//
// Each record is [magic u32][length u32][crc32 u32][Event bytes], integers
// little-endian, crc32 (zlib) over the Event bytes. Every Append is one
// write(2) of the record and an end mark after it ([end magic][0][0]), so a
// record is in the page cache (and visible to readers) as soon as Append
// returns and survives a kill -9 of the agent; Sync() fsyncs at the end of
// the run. The next record overwrites the mark. A journal that starts with
// an end mark (or is empty) is free: it holds no run. A journal file is
// reused (JournalPool): marked free when its run is pruned, then overwritten
// from the start by a new run, never emptied, so bytes of the earlier run
// may follow the mark; readers stop at the mark, and at any record of
// another run. A reader that meets a damaged record reports it
// and resynchronises at the next magic number, so one bad record never hides
// the rest of the run.
//
// JournalWriter is used by one thread (the run's); any number of
// JournalReaders may read the same file concurrently.
#ifndef DSO_RUNTIME_JOURNAL_H_
#define DSO_RUNTIME_JOURNAL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/agent.pb.h"

namespace dso {

struct JournalSummary;

class JournalWriter {
 public:
  // Creates a new journal; ALREADY_EXISTS if the file exists.
  static absl::StatusOr<std::unique_ptr<JournalWriter>> Create(
      const std::string& path);
  // Takes over `fd`, a free journal open for writing (JournalPool), as a
  // new run's journal, written from the start over the old bytes.
  static std::unique_ptr<JournalWriter> Reuse(std::string path, int fd);
  // Opens an existing journal for appending. A torn record at the end (from
  // a crash) is cut off first so new records follow whole ones. The scan
  // that finds it is reported in `summary` when given.
  static absl::StatusOr<std::unique_ptr<JournalWriter>> Open(
      const std::string& path, JournalSummary* summary = nullptr);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  absl::Status Append(const dso::v1::Event& event);
  absl::Status Sync();
  // Bytes in the file after the last successful Append.
  uint64_t size() const { return size_; }

 private:
  JournalWriter(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_;
  uint64_t size_;
};

class JournalReader {
 public:
  // Reads the records of run `run_id`, or, when empty, of the run of the
  // first record.
  static absl::StatusOr<std::unique_ptr<JournalReader>> Open(
      const std::string& path, std::string run_id = "");
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // Reads the next whole record that ends at or before `limit` bytes into
  // the file. Returns false when there is none (yet): at the limit, the end
  // of the file, an end mark, or a record of another run.
  bool Next(uint64_t limit, dso::v1::Event* event);
  // True once a record of another run was met: the file was reused.
  bool foreign() const { return foreign_; }
  // Damaged records skipped so far, and the offset just past the last good
  // record (where a writer may safely continue).
  uint64_t corrupt_records() const { return corrupt_; }
  uint64_t good_end() const { return good_end_; }

 private:
  JournalReader(int fd, std::string run_id)
      : fd_(fd), run_id_(std::move(run_id)) {}
  bool Fill(uint64_t limit, size_t need);
  bool Stop();  // forgets the unread bytes (a writer may replace them)
  int fd_;
  std::string run_id_;
  bool foreign_ = false;
  std::string buf_;  // bytes from file offset buf_offset_
  uint64_t buf_offset_ = 0;
  size_t pos_ = 0;           // parse position within buf_
  size_t chunk_ = 16 << 10;  // the next read's size
  uint64_t corrupt_ = 0;
  uint64_t good_end_ = 0;
};

// What a journal holds, for recovery after a restart.
struct JournalSummary {
  uint64_t last_seq = 0;
  uint64_t corrupt_records = 0;
  uint64_t good_end = 0;
  bool has_started = false;
  dso::v1::Run started;  // from the RunStarted event
  bool has_result = false;
  dso::v1::Result result;
};
absl::StatusOr<JournalSummary> SummarizeJournal(const std::string& path);

// The first and the last whole record of a journal, read without scanning
// the middle: how the agent learns the state of every kept run at startup.
struct JournalEnds {
  bool free = false;  // empty, or an end mark first: it holds no run
  bool has_first = false;
  dso::v1::Event first;
  bool has_last = false;  // the last record, if an end mark or EOF follows
  dso::v1::Event last;
};
absl::StatusOr<JournalEnds> ReadJournalEnds(const std::string& path);

// The run of the journal open at `fd` (read from offset 0), as its first
// record names it; "" when the journal is free. DATA_LOSS when the first
// bytes are neither a whole record nor an end mark.
absl::StatusOr<std::string> JournalRunId(int fd, const std::string& path);
// Opens the journal at `path` (read-write and not through a link when
// `write`) holding an exclusive flock on it; -1 if it cannot be opened or
// another process holds it.
int LockJournal(const std::string& path, bool write = false);
// Marks the journal open for writing at `fd` free: an end mark at its
// start. The old records stay behind it, for a new run to overwrite.
bool MarkJournalFree(int fd);

}  // namespace dso

#endif  // DSO_RUNTIME_JOURNAL_H_
