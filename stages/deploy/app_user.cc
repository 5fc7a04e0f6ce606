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
#include "stages/rasp/user_switch.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

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
    size_t end = status->find('\n', at + 1);
    std::string line = status->substr(
        at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
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
// Which target holds which dedicated id: one file per id in `claims_dir`,
// naming the target's directory, created exclusively; a claim whose target
// no longer records that id is stale.
bool Claim(const std::string& claims_dir, uint32_t uid,
           const std::string& target_dir) {
  std::string path = absl::StrCat(claims_dir, "/", uid);
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

// Whether this process can run a program as `uid` (and gid `uid`).
bool CanSwitchTo(uint32_t uid) {
  return geteuid() == 0 || CheckCanMap(uid, uid).ok();
}

}  // namespace

absl::StatusOr<uint32_t> DedicatedUid(const std::string& target_dir,
                                      const std::string& claims_dir) {
  std::error_code ec;
  fs::create_directories(claims_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("creating ", claims_dir,
                     " (the dedicated users' claims): ", ec.message()));
  }
  chmod(claims_dir.c_str(), 0700);
  if (uint32_t uid = Recorded(target_dir);
      uid && CanSwitchTo(uid) && Claim(claims_dir, uid, target_dir)) {
    return uid;
  }
  std::set<uint32_t> running = RunningUids();
  uint32_t span = kDedicatedUidLast - kDedicatedUidFirst + 1;
  uint32_t start = static_cast<uint32_t>(std::hash<std::string>()(target_dir));
  for (uint32_t i = 0; i < span; ++i) {
    uint32_t uid = kDedicatedUidFirst + (start + i) % span;
    if (getpwuid(uid) != nullptr || getgrgid(uid) != nullptr ||
        running.count(uid) || !CanSwitchTo(uid) ||
        !Claim(claims_dir, uid, target_dir)) {
      continue;
    }
    RETURN_IF_ERROR(WriteFileAtomically(RecordPath(target_dir),
                                        absl::StrCat(uid, ":", uid, "\n")));
    return uid;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "no free user id in ", kDedicatedUidFirst, "-", kDedicatedUidLast,
      " that this agent can switch to, for ", target_dir));
}

absl::StatusOr<std::string> ChooseAppUser(const std::string& target_dir,
                                          const std::string& claims_dir,
                                          const std::string& target_user,
                                          const std::string& image_user,
                                          bool allow_root) {
  if (!target_user.empty()) return target_user;
  uint32_t uid = 0, gid = 0;
  bool numeric = !image_user.empty() && NumericUser(image_user, &uid, &gid);
  bool root = geteuid() == 0;
  if (numeric && uid != 0 && gid != 0 && (root || CheckCanMap(uid, gid).ok())) {
    return image_user;
  }
  bool asks_root =
      image_user.empty() || (numeric && uid == 0) || image_user == "root";
  if (asks_root && allow_root && root) return std::string();
  auto dedicated = DedicatedUid(target_dir, claims_dir);
  if (!dedicated.ok()) {
    // An agent that is not root with no subordinate ids to switch to: the
    // application runs as the agent's user, and dso-run reports it.
    if (!root && absl::IsResourceExhausted(dedicated.status())) return "";
    return dedicated.status();
  }
  return absl::StrCat(*dedicated, ":", *dedicated);
}

}  // namespace dso
