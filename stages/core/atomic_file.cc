#include "stages/core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "stages/core/fd_io.h"

namespace dso {

namespace {
absl::Status Errno(absl::string_view what, const std::string& path) {
  int err = errno;
  std::string msg =
      absl::StrCat("cannot ", what, " '", path, "': ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}
}  // namespace

int RemoveStaleTempFiles(const std::string& path) {
  std::filesystem::path target(path);
  std::string prefix = absl::StrCat(".", target.filename().string(), ".tmp.");
  std::error_code ec;
  int removed = 0;
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    int pid = 0;
    if (!absl::StartsWith(name, prefix) ||
        !absl::SimpleAtoi(name.substr(prefix.size()), &pid) || pid <= 0) {
      continue;
    }
    if (kill(pid, 0) == 0 || errno != ESRCH) continue;  // still writing
    if (std::filesystem::remove(e.path(), ec)) ++removed;
  }
  return removed;
}

absl::Status SyncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory", dir);
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Errno("fsync directory", dir);
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content) {
  std::filesystem::path target(path);
  std::string dir =
      target.parent_path().empty() ? "." : target.parent_path().string();
  std::string tmp =
      absl::StrCat(dir, "/.", target.filename().string(), ".tmp.", getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", tmp);
  if (!WriteAll(fd, content)) {
    absl::Status s = Errno("write", tmp);
    close(fd);
    unlink(tmp.c_str());
    return s;
  }
  if (fsync(fd) != 0) {
    absl::Status s = Errno("fsync", tmp);
    close(fd);
    unlink(tmp.c_str());
    return s;
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = Errno("rename into place", path);
    unlink(tmp.c_str());
    return s;
  }
  return SyncDirectory(dir);
}

}  // namespace dso
