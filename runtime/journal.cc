#include "runtime/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "stages/core/fd_io.h"

namespace dso {

namespace {

constexpr uint32_t kMagic = 0xD5017E11;
constexpr uint32_t kEndMagic = 0xD5017E0D;  // [kEndMagic][0][0]: the end
constexpr size_t kHeader = 12;
constexpr uint32_t kMaxRecord = 64 << 20;

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return v;
}

uint32_t Crc(const char* data, size_t n) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

// Whether the record at `h` (a header and `len` bytes of body after it)
// checks out, and its event into `event` if so.
bool DecodeRecord(const char* h, uint32_t len, dso::v1::Event* event) {
  return Crc(h + kHeader, len) == GetU32(h + 8) &&
         event->ParseFromArray(h + kHeader, static_cast<int>(len));
}

absl::Status IoError(absl::string_view what, const std::string& path) {
  int err = errno;
  std::string msg =
      absl::StrCat("journal: cannot ", what, " '", path, "': ", strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

}  // namespace

absl::StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Create(
    const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    return absl::AlreadyExistsError(
        absl::StrCat("journal '", path, "' exists already"));
  }
  if (fd < 0) return IoError("create", path);
  return std::unique_ptr<JournalWriter>(new JournalWriter(path, fd, 0));
}

std::unique_ptr<JournalWriter> JournalWriter::Reuse(std::string path, int fd) {
  return std::unique_ptr<JournalWriter>(
      new JournalWriter(std::move(path), fd, 0));
}

absl::StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Open(
    const std::string& path, JournalSummary* summary) {
  uint64_t good_end = 0;
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && st.st_size > 0) {
    auto scanned = SummarizeJournal(path);
    if (!scanned.ok()) return scanned.status();
    good_end = scanned->good_end;
    if (summary) *summary = *scanned;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open", path);
  if (ftruncate(fd, good_end) != 0) {
    absl::Status s = IoError("truncate", path);
    close(fd);
    return s;
  }
  return std::unique_ptr<JournalWriter>(new JournalWriter(path, fd, good_end));
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) close(fd_);
}

absl::Status JournalWriter::Append(const dso::v1::Event& event) {
  std::string record(kHeader, '\0');
  if (!event.AppendToString(&record)) {
    return absl::InternalError("journal: cannot serialize event");
  }
  size_t body = record.size() - kHeader;
  PutU32(record.data(), kMagic);
  PutU32(record.data() + 4, static_cast<uint32_t>(body));
  PutU32(record.data() + 8, Crc(record.data() + kHeader, body));
  size_t end = record.size();
  record.resize(end + kHeader);  // the end mark: zero length and crc
  PutU32(record.data() + end, kEndMagic);
  if (!PwriteAll(fd_, record, size_)) {
    absl::Status s = IoError("append to", path_);
    // Cut off a partial record so the file stays well formed.
    (void)!ftruncate(fd_, size_);
    return s;
  }
  size_ += end;
  return absl::OkStatus();
}

absl::Status JournalWriter::Sync() {
  if (fdatasync(fd_) != 0) return IoError("fsync", path_);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<JournalReader>> JournalReader::Open(
    const std::string& path, std::string run_id) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("journal '", path, "' is missing"));
    }
    return IoError("open", path);
  }
  return std::unique_ptr<JournalReader>(
      new JournalReader(fd, std::move(run_id)));
}

JournalReader::~JournalReader() { close(fd_); }

// Makes at least `need` bytes available from pos_, reading no further than
// `limit`. Returns false if the file (up to limit) has fewer.
bool JournalReader::Fill(uint64_t limit, size_t need) {
  if (buf_.size() - pos_ >= need) return true;
  buf_.erase(0, pos_);
  buf_offset_ += pos_;
  pos_ = 0;
  while (buf_.size() < need) {
    uint64_t end = buf_offset_ + buf_.size();
    if (end >= limit) return false;
    // Reads start small (most journals are a few records) and grow.
    size_t want = static_cast<size_t>(std::min<uint64_t>(
        limit - end, std::max<size_t>(need - buf_.size(), chunk_)));
    chunk_ = std::min<size_t>(chunk_ * 2, 1 << 20);
    size_t old = buf_.size();
    buf_.resize(old + want);
    ssize_t n = pread(fd_, buf_.data() + old, want, end);
    if (n < 0 && errno == EINTR) n = 0;
    if (n <= 0) {
      buf_.resize(old);
      return false;
    }
    buf_.resize(old + n);
  }
  return true;
}

bool JournalReader::Stop() {
  buf_.resize(pos_);
  return false;
}

bool JournalReader::Next(uint64_t limit, dso::v1::Event* event) {
  while (!foreign_) {
    if (!Fill(limit, kHeader)) return false;
    const char* h = buf_.data() + pos_;
    uint32_t len = GetU32(h + 4);
    if (GetU32(h) == kEndMagic) return Stop();  // a later Append may replace it
    if (GetU32(h) == kMagic && len <= kMaxRecord) {
      if (!Fill(limit, kHeader + len)) return false;  // not written yet
      h = buf_.data() + pos_;
      if (DecodeRecord(h, len, event)) {
        if (run_id_.empty()) run_id_ = event->run_id();
        if (!event->run_id().empty() && event->run_id() != run_id_) {
          foreign_ = true;
          return Stop();
        }
        pos_ += kHeader + len;
        good_end_ = buf_offset_ + pos_;
        return true;
      }
    }
    // Damaged: skip to the next record or end mark.
    ++corrupt_;
    ++pos_;
    while (true) {
      if (!Fill(limit, 4)) return false;
      uint32_t magic = GetU32(buf_.data() + pos_);
      if (magic == kMagic || magic == kEndMagic) break;
      ++pos_;
    }
  }
  return false;
}

absl::StatusOr<JournalEnds> ReadJournalEnds(const std::string& path) {
  JournalEnds ends;
  {
    auto reader = JournalReader::Open(path);
    if (!reader.ok()) return reader.status();
    ends.has_first = (*reader)->Next(UINT64_MAX, &ends.first);
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return IoError("stat", path);
  }
  // The last record is small (a result) and the bytes of an earlier run
  // that may follow it are few (JournalPool::kKeepBytes): 1 MiB of tail
  // holds it. It is the last record of this run that ends at EOF or where
  // an end mark starts.
  uint64_t size = st.st_size;
  char head[4];
  ends.free = size < kHeader ||
              (pread(fd, head, 4, 0) == 4 && GetU32(head) == kEndMagic);
  uint64_t start = size > (1u << 20) ? size - (1u << 20) : 0;
  std::string tail(size - start, '\0');
  ssize_t n = pread(fd, tail.data(), tail.size(), start);
  close(fd);
  if (n != static_cast<ssize_t>(tail.size())) return IoError("read", path);
  for (size_t p = tail.size() >= kHeader ? tail.size() - kHeader + 1 : 0;
       p-- > 0;) {
    const char* h = tail.data() + p;
    if (GetU32(h) != kMagic) continue;
    uint32_t len = GetU32(h + 4);
    size_t end = p + kHeader + len;
    bool at_end =
        end == tail.size() || (end + kHeader <= tail.size() &&
                               GetU32(tail.data() + end) == kEndMagic);
    if (len > kMaxRecord || !at_end) continue;
    if (DecodeRecord(h, len, &ends.last) &&
        (ends.last.run_id().empty() ||
         ends.last.run_id() == ends.first.run_id())) {
      ends.has_last = true;
      break;
    }
  }
  return ends;
}

absl::StatusOr<std::string> JournalRunId(int fd, const std::string& path) {
  std::string record(kHeader, '\0');
  ssize_t n = pread(fd, record.data(), kHeader, 0);
  if (n < 0) return IoError("read", path);
  if (n < static_cast<ssize_t>(kHeader) || GetU32(record.data()) == kEndMagic) {
    return "";
  }
  uint32_t len = GetU32(record.data() + 4);
  bool whole = GetU32(record.data()) == kMagic && len <= kMaxRecord;
  if (whole) {
    record.resize(kHeader + len);
    whole = pread(fd, record.data() + kHeader, len, kHeader) ==
            static_cast<ssize_t>(len);
  }
  dso::v1::Event first;
  if (!whole || !DecodeRecord(record.data(), len, &first)) {
    return absl::DataLossError(
        absl::StrCat("journal '", path, "': its first record is damaged"));
  }
  return first.run_id();
}

int LockJournal(const std::string& path, bool write) {
  int fd =
      open(path.c_str(), (write ? O_RDWR | O_NOFOLLOW : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool MarkJournalFree(int fd) {
  char mark[kHeader] = {0};
  PutU32(mark, kEndMagic);
  return PwriteAll(fd, absl::string_view(mark, kHeader), 0);
}

absl::StatusOr<JournalSummary> SummarizeJournal(const std::string& path) {
  auto reader = JournalReader::Open(path);
  if (!reader.ok()) return reader.status();
  JournalSummary s;
  dso::v1::Event e;
  while ((*reader)->Next(UINT64_MAX, &e)) {
    s.last_seq = std::max<uint64_t>(s.last_seq, e.seq());
    if (e.has_started() && !s.has_started) {
      s.has_started = true;
      s.started = e.started().run();
    }
    if (e.has_result()) {
      s.has_result = true;
      s.result = e.result();
    }
  }
  s.corrupt_records = (*reader)->corrupt_records();
  s.good_end = (*reader)->good_end();
  return s;
}

}  // namespace dso
