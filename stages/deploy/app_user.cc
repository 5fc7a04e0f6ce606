#include "stages/deploy/app_user.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/status_macros.h"
#include "stages/deploy/release_setup.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// Which target holds which dedicated id: one file per id, naming the
// target's directory, created exclusively (two agents never take the same
// id); a claim whose target no longer records that id is stale.
constexpr char kClaims[] = "/var/lib/dso/app-users";

bool InRange(uint32_t uid) {
  return uid >= kDedicatedUidFirst && uid <= kDedicatedUidLast;
}

std::string RecordPath(const std::string& target_dir) {
  return target_dir + "/app-user";
}

// The id <target_dir>/app-user records, or 0.
uint32_t Recorded(const std::string& target_dir) {
  auto text = ReadFile(RecordPath(target_dir), FileKind::kConfig);
  uint32_t uid = 0;
  if (!text.ok() ||
      !absl::SimpleAtoi(
          absl::StripAsciiWhitespace(text->substr(0, text->find(':'))), &uid) ||
      !InRange(uid)) {
    return 0;
  }
  return uid;
}

// Ids of running processes (real, effective, saved, file system).
std::set<uint32_t> RunningUids() {
  std::set<uint32_t> out;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return out;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    auto status = ReadFile(absl::StrCat("/proc/", e->d_name, "/status"),
                           FileKind::kConfig);
    if (!status.ok()) continue;
    size_t at = status->find("\nUid:");
    if (at == std::string::npos) continue;
    std::string line = status->substr(at + 5, status->find('\n', at + 1) - at);
    for (absl::string_view id :
         absl::StrSplit(line, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
      uint32_t uid;
      if (absl::SimpleAtoi(id, &uid)) out.insert(uid);
    }
  }
  closedir(proc);
  return out;
}

// Claims `uid` for `target_dir`: true when the claim is (now) its own.
bool Claim(uint32_t uid, const std::string& target_dir) {
  std::string path = absl::StrCat(kClaims, "/", uid);
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      std::string text = target_dir + "\n";
      bool ok = write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size());
      close(fd);
      return ok;
    }
    if (errno != EEXIST) return false;
    auto holder = ReadFile(path, FileKind::kConfig);
    std::string owner =
        holder.ok() ? std::string(absl::StripAsciiWhitespace(*holder)) : "";
    if (owner == target_dir) return true;
    if (!owner.empty() && Recorded(owner) == uid) return false;  // taken
    unlink(path.c_str());  // stale: its target is gone or moved on
  }
  return false;
}

}  // namespace

absl::StatusOr<uint32_t> DedicatedUid(const std::string& target_dir) {
  std::error_code ec;
  fs::create_directories(kClaims, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("creating ", kClaims,
                     " (the dedicated users' claims): ", ec.message()));
  }
  chmod(kClaims, 0700);
  if (uint32_t uid = Recorded(target_dir); uid && Claim(uid, target_dir)) {
    return uid;
  }
  std::set<uint32_t> running = RunningUids();
  uint32_t span = kDedicatedUidLast - kDedicatedUidFirst + 1;
  uint32_t start = static_cast<uint32_t>(std::hash<std::string>()(target_dir));
  for (uint32_t i = 0; i < span; ++i) {
    uint32_t uid = kDedicatedUidFirst + (start + i) % span;
    if (getpwuid(uid) != nullptr || getgrgid(uid) != nullptr ||
        running.count(uid) || !Claim(uid, target_dir)) {
      continue;
    }
    RETURN_IF_ERROR(WriteFileAtomically(RecordPath(target_dir),
                                        absl::StrCat(uid, ":", uid, "\n")));
    return uid;
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("no free user id left in ", kDedicatedUidFirst, "-",
                   kDedicatedUidLast, " for ", target_dir));
}

absl::StatusOr<std::string> ChooseAppUser(const std::string& target_dir,
                                          const std::string& target_user,
                                          const std::string& image_user,
                                          bool allow_root) {
  if (!target_user.empty()) return target_user;
  if (geteuid() != 0) return std::string();  // cannot switch: dso-run says so
  uint32_t uid = 0, gid = 0;
  bool numeric = !image_user.empty() && NumericUser(image_user, &uid, &gid);
  if (numeric && uid != 0 && gid != 0) return image_user;
  bool asks_root =
      image_user.empty() || (numeric && uid == 0) || image_user == "root";
  if (asks_root && allow_root) return std::string();
  ASSIGN_OR_RETURN(uint32_t dedicated, DedicatedUid(target_dir));
  return absl::StrCat(dedicated, ":", dedicated);
}

}  // namespace dso
