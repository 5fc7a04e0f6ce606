#include "stages/core/bounded_file.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dso {
namespace {

FileReadLimits g_limits;

absl::Status OpenError(int err, const std::string& path) {
  std::string msg = absl::StrCat("cannot open '", path, "': ", strerror(err));
  if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  if (err == ELOOP) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open '", path,
                     "': too many links, or a link where none "
                     "may be"));
  }
  return absl::FailedPreconditionError(msg);
}

// Closes the descriptor unless released.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

absl::Status CheckRegular(int fd, const std::string& name) {
  struct stat st;
  if (fstat(fd, &st) != 0) return OpenError(errno, name);
  if (S_ISREG(st.st_mode)) return absl::OkStatus();
  const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  return absl::InvalidArgumentError(
      absl::StrCat("'", name, "' is ", what, "; only regular files are read"));
}

// Clears O_NONBLOCK again: a regular file ignores it, but callers may
// hand the descriptor to code that assumes blocking reads.
void MakeBlocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK)) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

// The fallback where openat2 is missing (kernels before 5.6, or a seccomp
// filter that refuses it): one component at a time, no link followed at
// all and no "..", which is stricter than RESOLVE_BENEATH.
int WalkBeneath(int root_fd, const std::string& rel, int flags, mode_t mode) {
  std::vector<std::string> parts;
  for (absl::string_view p : absl::StrSplit(rel, '/', absl::SkipEmpty())) {
    if (p == ".") continue;
    if (p == "..") {
      errno = EXDEV;
      return -1;
    }
    parts.emplace_back(p);
  }
  if (parts.empty()) return openat(root_fd, ".", flags, mode);
  int dir = dup(root_fd);
  if (dir < 0) return -1;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int next = openat(dir, parts[i].c_str(),
                      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(dir);
    if (next < 0) {
      errno = err;
      return -1;
    }
    dir = next;
  }
  int fd = openat(dir, parts.back().c_str(), flags | O_NOFOLLOW, mode);
  int err = errno;
  close(dir);
  errno = err;
  return fd;
}

}  // namespace

uint64_t FileReadLimits::For(FileKind kind) const {
  switch (kind) {
    case FileKind::kKey:
      return key;
    case FileKind::kConfig:
      return config;
    case FileKind::kManifest:
      return manifest;
    case FileKind::kDocument:
      return document;
    case FileKind::kReport:
      return report;
  }
  return config;
}

void SetFileReadLimits(const FileReadLimits& limits) { g_limits = limits; }
const FileReadLimits& GetFileReadLimits() { return g_limits; }

const char* FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kKey:
      return "key";
    case FileKind::kConfig:
      return "config";
    case FileKind::kManifest:
      return "manifest";
    case FileKind::kDocument:
      return "document";
    case FileKind::kReport:
      return "report";
  }
  return "config";
}

absl::StatusOr<int> OpenRegularFile(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("an empty path names no file");
  }
  FdCloser fd{open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)};
  if (fd.fd < 0) return OpenError(errno, path);
  if (absl::Status s = CheckRegular(fd.fd, path); !s.ok()) return s;
  MakeBlocking(fd.fd);
  return fd.release();
}

absl::StatusOr<int> OpenBeneath(const std::string& root, const std::string& rel,
                                int flags) {
  FdCloser root_fd{open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
  if (root_fd.fd < 0) return OpenError(errno, root);
  std::string name = rel.empty() ? root : absl::StrCat(root, "/", rel);
  if (rel.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("path '", root, "/...' holds a NUL byte"));
  }
  const mode_t mode = (flags & O_CREAT) ? 0600 : 0;
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const char* p = rel.empty() ? "." : rel.c_str();
  int fd =
      static_cast<int>(syscall(SYS_openat2, root_fd.fd, p, &how, sizeof(how)));
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
    fd = WalkBeneath(root_fd.fd, rel, flags | O_CLOEXEC, mode);
  }
  if (fd < 0) {
    if (errno == EXDEV) {
      return absl::PermissionDeniedError(
          absl::StrCat("'", rel, "' leads outside '", root,
                       "' (through '..', an absolute path or a link); "
                       "refused"));
    }
    return OpenError(errno, name);
  }
  return fd;
}

namespace {

absl::StatusOr<std::string> ReadCapped(int fd, const std::string& name,
                                       uint64_t max_bytes,
                                       absl::string_view cap_name) {
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' is ", st.st_size, " bytes, more than the ",
                     max_bytes, " ", cap_name, "; refused"));
  }
  std::string out;
  out.resize(S_ISREG(st.st_mode) ? st.st_size : 0);
  size_t have = 0;
  while (true) {
    if (have == out.size()) {
      if (have > max_bytes) break;
      out.resize(std::min<uint64_t>(max_bytes + 1,
                                    std::max<size_t>(have * 2, 64 << 10)));
      if (have == out.size()) break;
    }
    ssize_t n = read(fd, out.data() + have, out.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::DataLossError(
          absl::StrCat("cannot read '", name, "': ", strerror(errno)));
    }
    if (n == 0) break;
    have += n;
  }
  if (have > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name, "' holds more than the ", max_bytes, " ",
                     cap_name, "; refused"));
  }
  out.resize(have);
  return out;
}

std::string CapName(FileKind kind) {
  return absl::StrCat("bytes a ", FileKindName(kind),
                      " file may have (read_limits.", FileKindName(kind),
                      " in the agent config)");
}

}  // namespace

absl::StatusOr<std::string> ReadBounded(int fd, const std::string& name,
                                        uint64_t max_bytes) {
  return ReadCapped(fd, name, max_bytes, "bytes read here");
}

absl::StatusOr<std::string> ReadFile(const std::string& path, FileKind kind) {
  absl::StatusOr<int> fd = OpenRegularFile(path);
  if (!fd.ok()) return fd.status();
  FdCloser closer{*fd};
  return ReadCapped(*fd, path, g_limits.For(kind), CapName(kind));
}

absl::StatusOr<std::string> ReadFileUpTo(const std::string& path,
                                         uint64_t max_bytes) {
  absl::StatusOr<int> fd = OpenRegularFile(path);
  if (!fd.ok()) return fd.status();
  FdCloser closer{*fd};
  return ReadBounded(*fd, path, max_bytes);
}

absl::StatusOr<int> OpenRegularBeneath(const std::string& root,
                                       const std::string& rel) {
  absl::StatusOr<int> opened =
      OpenBeneath(root, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!opened.ok()) return opened.status();
  FdCloser fd{*opened};
  if (absl::Status s = CheckRegular(fd.fd, absl::StrCat(root, "/", rel));
      !s.ok()) {
    return s;
  }
  MakeBlocking(fd.fd);
  return fd.release();
}

absl::StatusOr<std::string> ReadFileBeneath(const std::string& root,
                                            const std::string& rel,
                                            FileKind kind) {
  absl::StatusOr<int> fd = OpenRegularBeneath(root, rel);
  if (!fd.ok()) return fd.status();
  FdCloser closer{*fd};
  std::string name = absl::StrCat(root, "/", rel);
  return ReadCapped(*fd, name, g_limits.For(kind), CapName(kind));
}

}  // namespace dso
