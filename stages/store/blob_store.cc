#include "stages/store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/fd_io.h"
#include "stages/core/status_macros.h"

namespace dso {

namespace {

absl::Status IoError(absl::string_view what, const std::string& path, int err) {
  std::string msg = absl::StrCat("artifact store: cannot ", what, " '", path,
                                 "': ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(
        absl::StrCat(msg, " (free space on the agent's data dir)"));
  }
  return absl::InternalError(msg);
}

std::atomic<uint64_t> temp_counter{0};

}  // namespace

BlobWriter::BlobWriter(std::string root, std::string tmp_path, int fd,
                       uint64_t max_size)
    : root_(std::move(root)),
      tmp_path_(std::move(tmp_path)),
      fd_(fd),
      max_size_(max_size) {}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(tmp_path_.c_str());
}

absl::Status BlobWriter::Append(absl::string_view data) {
  if (!error_.ok()) return error_;
  if (committed_)
    return absl::FailedPreconditionError("blob already committed");
  if (data.size() > max_size_ - size_) {
    error_ = absl::InvalidArgumentError(
        absl::StrCat("blob is larger than its declared or allowed size of ",
                     max_size_, " bytes"));
    return error_;
  }
  if (!WriteAll(fd_, data)) {
    error_ = IoError("write", tmp_path_, errno);
    return error_;
  }
  hash_.Update(data);
  size_ += data.size();
  return absl::OkStatus();
}

absl::StatusOr<BlobInfo> BlobWriter::Commit(
    absl::string_view expected_digest, std::optional<uint64_t> expected_size) {
  if (!error_.ok()) return error_;
  if (committed_)
    return absl::FailedPreconditionError("blob already committed");
  BlobInfo info{hash_.Finish(), size_};
  if (expected_size && *expected_size != size_) {
    return absl::InvalidArgumentError(
        absl::StrCat("blob size mismatch: declared ", *expected_size,
                     " bytes, received ", size_, "; nothing was stored"));
  }
  if (!expected_digest.empty() && expected_digest != info.digest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blob digest mismatch: declared ", expected_digest,
        ", received content hashes to ", info.digest, "; nothing was stored"));
  }
  if (fsync(fd_) != 0) return IoError("fsync", tmp_path_, errno);
  close(fd_);
  fd_ = -1;
  std::string hex = info.digest.substr(7);
  std::string final_path = absl::StrCat(root_, "/blobs/sha256/", hex);
  if (rename(tmp_path_.c_str(), final_path.c_str()) != 0) {
    return IoError("rename into place", final_path, errno);
  }
  committed_ = true;
  RETURN_IF_ERROR(SyncDirectory(absl::StrCat(root_, "/blobs/sha256")));
  return info;
}

absl::StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(std::string root,
                                                           Mode mode) {
  std::error_code ec;
  if (mode == Mode::kSharedExisting) {
    if (!std::filesystem::is_directory(root + "/blobs/sha256", ec)) {
      return absl::NotFoundError(absl::StrCat(
          "'", root, "' is not a dso store (it has no blobs/sha256)"));
    }
    return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
  }
  std::filesystem::create_directories(root + "/blobs/sha256", ec);
  if (!ec) std::filesystem::create_directories(root + "/tmp", ec);
  if (!ec) std::filesystem::create_directories(root + "/owners", ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "artifact store: cannot create '", root, "': ", ec.message()));
  }
  // Temp files of a process that died are garbage: nothing refers to them.
  // (Only in the agent's own store: in a shared one they may be another
  // writer's.)
  if (mode == Mode::kOwn)
    for (const auto& e :
         std::filesystem::directory_iterator(root + "/tmp", ec)) {
      std::filesystem::remove(e.path(), ec);
    }
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
}

absl::StatusOr<std::unique_ptr<BlobWriter>> BlobStore::NewWriter(
    uint64_t max_size) {
  std::string tmp = absl::StrCat(root_, "/tmp/put-", getpid(), "-",
                                 temp_counter.fetch_add(1));
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", tmp, errno);
  return std::unique_ptr<BlobWriter>(new BlobWriter(root_, tmp, fd, max_size));
}

absl::StatusOr<std::string> BlobStore::PathOf(absl::string_view digest) const {
  ASSIGN_OR_RETURN(std::string hex, ParseSha256Digest(digest));
  std::string path = absl::StrCat(root_, "/blobs/sha256/", hex);
  // Marks it used (a shared store may not let us: then just looks).
  struct stat st;
  if (utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0 &&
      stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("blob ", digest, " is not in the agent's artifact store"));
  }
  return path;
}

BlobStore::Collected BlobStore::Collect(absl::Duration max_age,
                                        uint64_t max_bytes,
                                        absl::Duration grace,
                                        absl::Time now) const {
  struct Blob {
    absl::Time used;
    uint64_t size;
    std::string hex;
  };
  std::vector<Blob> blobs;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(
           absl::StrCat(root_, "/blobs/sha256"), ec)) {
    struct stat st;
    if (stat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    blobs.push_back({absl::TimeFromTimespec(st.st_mtim),
                     static_cast<uint64_t>(st.st_size),
                     e.path().filename().string()});
  }
  std::sort(blobs.begin(), blobs.end(),
            [](const Blob& a, const Blob& b) { return a.used < b.used; });
  Collected out;
  for (const Blob& b : blobs) out.kept_bytes += b.size;
  for (const Blob& b : blobs) {  // least recently used first
    bool old = now - b.used > max_age;
    bool over = out.kept_bytes > max_bytes;
    if ((!old && !over) || now - b.used < grace) continue;
    if (unlink(absl::StrCat(root_, "/blobs/sha256/", b.hex).c_str()) != 0) {
      continue;
    }
    unlink(absl::StrCat(root_, "/owners/", b.hex).c_str());
    ++out.removed;
    out.freed_bytes += b.size;
    out.kept_bytes -= b.size;
  }
  return out;
}

absl::StatusOr<BlobInfo> BlobStore::Stat(absl::string_view digest) const {
  ASSIGN_OR_RETURN(std::string path, PathOf(digest));
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return IoError("stat", path, errno);
  return BlobInfo{std::string(digest), static_cast<uint64_t>(st.st_size)};
}

absl::StatusOr<BlobInfo> BlobStore::AdoptFile(const std::string& path) {
  ASSIGN_OR_RETURN(FileDigest got, Sha256File(path));
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return IoError("open", path, errno);
  // The store's blobs are the agent's alone, whatever mode the step gave.
  bool synced = fchmod(fd, 0600) == 0 && fsync(fd) == 0;
  close(fd);
  if (!synced) return IoError("fsync", path, errno);
  std::string final_path =
      absl::StrCat(root_, "/blobs/sha256/", got.digest.substr(7));
  if (rename(path.c_str(), final_path.c_str()) != 0) {
    if (errno != EXDEV) return IoError("rename into place", final_path, errno);
    ASSIGN_OR_RETURN(BlobInfo copied, PutFile(path));
    unlink(path.c_str());
    return copied;
  }
  RETURN_IF_ERROR(SyncDirectory(absl::StrCat(root_, "/blobs/sha256")));
  return BlobInfo{got.digest, got.size};
}

absl::Status BlobStore::AddOwner(absl::string_view digest,
                                 absl::string_view identity) {
  if (IsOwner(digest, identity)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string hex, ParseSha256Digest(digest));
  std::string path = absl::StrCat(root_, "/owners/", hex);
  int fd = open(path.c_str(),
                O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return IoError("open", path, errno);
  bool ok = WriteAll(fd, absl::StrCat(absl::CEscape(identity), "\n"));
  int err = errno;
  close(fd);
  if (!ok) return IoError("write", path, err);
  return absl::OkStatus();
}

bool BlobStore::IsOwner(absl::string_view digest,
                        absl::string_view identity) const {
  auto hex = ParseSha256Digest(digest);
  if (!hex.ok()) return false;
  auto text =
      ReadFile(absl::StrCat(root_, "/owners/", *hex), FileKind::kConfig);
  if (!text.ok()) return false;
  std::string line = absl::CEscape(identity);
  for (absl::string_view l : absl::StrSplit(*text, '\n')) {
    if (l == line) return true;
  }
  return false;
}

bool BlobStore::DropIfUnusedSince(absl::string_view digest, absl::Time since,
                                  absl::string_view identity) const {
  auto hex = ParseSha256Digest(digest);
  if (!hex.ok()) return false;
  std::string blob = absl::StrCat(root_, "/blobs/sha256/", *hex);
  std::string owners = absl::StrCat(root_, "/owners/", *hex);
  struct stat st;
  if (stat(blob.c_str(), &st) != 0 ||
      absl::TimeFromTimespec(st.st_mtim) > since) {
    return false;
  }
  auto text = ReadFile(owners, FileKind::kConfig);
  if (!text.ok() ||
      absl::StripTrailingAsciiWhitespace(*text) != absl::CEscape(identity)) {
    return false;  // someone else's too, or nobody's on record
  }
  if (unlink(blob.c_str()) != 0) return false;
  unlink(owners.c_str());
  return true;
}

absl::StatusOr<BlobInfo> BlobStore::PutFile(const std::string& path) {
  // Not blocking on a FIFO someone left where a file was expected.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot open '", path, "': ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a regular file"));
  }
  auto writer = NewWriter();
  if (!writer.ok()) {
    close(fd);
    return writer.status();
  }
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = IoError("read", path, errno);
      close(fd);
      return s;
    }
    if (n == 0) break;
    absl::Status s = (*writer)->Append(absl::string_view(buf.data(), n));
    if (!s.ok()) {
      close(fd);
      return s;
    }
  }
  close(fd);
  return (*writer)->Commit("", std::nullopt);
}

}  // namespace dso
