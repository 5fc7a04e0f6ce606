#include "stages/deploy/releases.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace dso {
namespace fs = std::filesystem;
namespace {

absl::Status FsError(const std::string& what, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
}

void SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

}  // namespace

std::string ReleasePath(const std::string& dir, const std::string& id) {
  return absl::StrCat(dir, "/releases/", id);
}

absl::StatusOr<std::string> CreateRelease(const std::string& dir,
                                          const std::string& digest,
                                          absl::Time now) {
  std::error_code ec;
  for (const char* sub : {"/releases", "/shared", "/run"}) {
    fs::create_directories(dir + sub, ec);
    if (ec) return FsError("creating " + dir + sub, ec);
  }
  std::string hex = digest.substr(digest.find(':') + 1, 12);
  std::string base = absl::StrCat(
      absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()), "-", hex);
  for (int n = 0; n < 100; ++n) {
    std::string id = n ? absl::StrCat(base, ".", n) : base;
    if (mkdir(ReleasePath(dir, id).c_str(), 0755) == 0) return id;
    if (errno != EEXIST) {
      return absl::InternalError(absl::StrCat("creating ", ReleasePath(dir, id),
                                              ": ", strerror(errno)));
    }
  }
  return absl::AlreadyExistsError("too many releases of " + base);
}

absl::StatusOr<std::string> CurrentRelease(const std::string& dir) {
  std::error_code ec;
  fs::path target = fs::read_symlink(dir + "/current", ec);
  if (ec == std::errc::no_such_file_or_directory) return std::string();
  if (ec) return FsError("reading " + dir + "/current", ec);
  return target.filename().string();
}

absl::Status SwitchCurrent(const std::string& dir, const std::string& id) {
  std::string tmp = dir + "/.current.new";
  unlink(tmp.c_str());
  if (symlink(("releases/" + id).c_str(), tmp.c_str()) != 0 ||
      rename(tmp.c_str(), (dir + "/current").c_str()) != 0) {
    return absl::InternalError(absl::StrCat("switching ", dir, "/current to ",
                                            id, ": ", strerror(errno)));
  }
  SyncDir(dir);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListReleases(const std::string& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (fs::directory_iterator it(dir + "/releases", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_directory()) ids.push_back(it->path().filename().string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return FsError("listing " + dir + "/releases", ec);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<std::vector<std::string>> PruneReleases(
    const std::string& dir, int keep, const std::set<std::string>& protect) {
  auto ids = ListReleases(dir);
  if (!ids.ok()) return ids.status();
  std::vector<std::string> removed;
  int excess = static_cast<int>(ids->size()) - keep;
  for (const std::string& id : *ids) {
    if (excess <= 0) break;
    if (protect.count(id)) continue;
    std::error_code ec;
    fs::remove_all(ReleasePath(dir, id), ec);
    if (ec) return FsError("removing release " + id, ec);
    removed.push_back(id);
    --excess;
  }
  return removed;
}

absl::StatusOr<DeployLock> DeployLock::Acquire(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError("creating " + dir, ec);
  std::string path = dir + "/.deploy.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("opening ", path, ": ", strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "another deployment to ", dir, " is in progress (", path, ")"));
  }
  return DeployLock(fd);
}

DeployLock::~DeployLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace dso
