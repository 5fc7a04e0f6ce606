#include "stages/rasp/user_switch.h"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/bounded_file.h"
#include "stages/rasp/internal/idmap_service.h"

namespace dso {
namespace {

constexpr const char* kSubuid = "/etc/subuid";
constexpr const char* kSubgid = "/etc/subgid";

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

std::string FindHelper(const char* name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/"}) {
    std::string path = absl::StrCat(dir, name);
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

// Runs newuidmap/newgidmap PID ID ID 1: the one id, the same inside.
absl::Status RunHelper(const char* name, pid_t child, uint32_t id) {
  std::string helper = FindHelper(name);
  if (helper.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " is missing (install the uidmap package)"));
  }
  std::vector<std::string> args = {helper, absl::StrCat(child),
                                   absl::StrCat(id), absl::StrCat(id), "1"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Errno("fork");
  if (pid == 0) {
    execv(helper.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        name, " could not map id ", id, " (is it in a subordinate range of ",
        "this user in ", name[3] == 'u' ? kSubuid : kSubgid, "?)"));
  }
  return absl::OkStatus();
}

// Gives `uid` the permissions `perms` (rwx bits) on the caller's file open
// as `fd`: as root by ownership, otherwise by a POSIX ACL (the
// system.posix_acl_access attribute: owner, the user, group, mask, other).
absl::Status Grant(int fd, const std::string& path, uid_t uid, gid_t gid,
                   int perms) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Errno("reading " + path);
  if (st.st_uid != getuid()) return absl::OkStatus();  // not the caller's
  std::string proc = absl::StrCat("/proc/self/fd/", fd);
  if (geteuid() == 0) {
    if (chown(proc.c_str(), uid, gid) != 0) {
      return Errno("handing " + path + " to the program's user");
    }
    return absl::OkStatus();
  }
  struct Entry {
    uint16_t tag, perm;
    uint32_t id;
  };
  constexpr uint32_t kNoId = 0xffffffff;
  mode_t m = st.st_mode;
  const Entry entries[] = {
      {0x01, static_cast<uint16_t>((m >> 6) & 7), kNoId},  // owner
      {0x02, static_cast<uint16_t>(perms), uid},           // the program
      {0x04, static_cast<uint16_t>((m >> 3) & 7), kNoId},  // group
      {0x10, 7, kNoId},                                    // mask
      {0x20, static_cast<uint16_t>(m & 7), kNoId}};        // other
  std::string value(4, '\0');
  value[0] = 2;  // version 2, little endian
  for (const Entry& e : entries) {
    char raw[8];
    for (int i = 0; i < 2; ++i) raw[i] = static_cast<char>(e.tag >> (8 * i));
    for (int i = 0; i < 2; ++i)
      raw[2 + i] = static_cast<char>(e.perm >> (8 * i));
    for (int i = 0; i < 4; ++i) raw[4 + i] = static_cast<char>(e.id >> (8 * i));
    value.append(raw, 8);
  }
  if (setxattr(proc.c_str(), "system.posix_acl_access", value.data(),
               value.size(), 0) != 0) {
    return Errno("giving the program's user access to " + path +
                 " (an ACL entry)");
  }
  return absl::OkStatus();
}

bool WriteByte(int fd, char c) {
  while (true) {
    ssize_t n = write(fd, &c, 1);
    if (n == 1) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

bool ReadByte(int fd, char* c) {
  while (true) {
    ssize_t n = read(fd, c, 1);
    if (n == 1) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

}  // namespace

bool NeedsUserNamespace(uid_t uid) {
  return geteuid() != 0 && uid != geteuid();
}

bool SubordinateRangeHolds(absl::string_view text, absl::string_view owner,
                           uint32_t owner_uid, uint32_t id) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ':');
    uint32_t numeric_owner = 0;
    uint64_t start = 0, count = 0;
    if (f.size() != 3 || !absl::SimpleAtoi(f[1], &start) ||
        !absl::SimpleAtoi(f[2], &count)) {
      continue;
    }
    bool mine =
        (!owner.empty() && f[0] == owner) ||
        (absl::SimpleAtoi(f[0], &numeric_owner) && numeric_owner == owner_uid);
    if (mine && id >= start && id - start < count) return true;
  }
  return false;
}

bool InSubordinateRange(const std::string& file, uid_t owner, uint32_t id) {
  passwd pw;
  passwd* found = nullptr;
  char buf[4096];
  std::string name;
  if (getpwuid_r(owner, &pw, buf, sizeof(buf), &found) == 0 && found) {
    name = found->pw_name;
  }
  // A subordinate-id file larger than this, or unreadable, holds no range.
  std::string text = ReadFileUpTo(file, 1 << 20).value_or("");
  return SubordinateRangeHolds(text, name, owner, id);
}

bool UnderNoNewPrivs() { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1; }

absl::Status CheckCanMap(uid_t uid, gid_t gid,
                         const std::string& idmap_socket) {
  if (UnderNoNewPrivs()) {
    // newuidmap and newgidmap act by their setuid bit (or file
    // capabilities), which no_new_privs switches off: dso-idmap maps
    // instead, where it runs.
    struct stat st;
    if (stat(idmap_socket.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "switching to user ", uid,
          " needs root, newuidmap (which cannot act under no_new_privs, "
          "NoNewPrivileges=yes in a systemd unit), or the id-mapping service "
          "dso-idmap, whose socket ",
          idmap_socket,
          " is missing (systemctl enable --now dso-idmap.socket)"));
    }
  } else {
    for (const char* helper : {"newuidmap", "newgidmap"}) {
      if (FindHelper(helper).empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("switching to user ", uid, " needs root or ", helper,
                         " (install the uidmap package)"));
      }
    }
  }
  if (!InSubordinateRange(kSubuid, getuid(), uid) ||
      !InSubordinateRange(kSubgid, getuid(), gid)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "switching to user ", uid, ":", gid, " needs root, or ", kSubuid,
        " and ", kSubgid, " to give this user (uid ", getuid(),
        ") a subordinate range holding them (usermod --add-subuids ", uid, "-",
        uid, " --add-subgids ", gid, "-", gid, ")"));
  }
  return absl::OkStatus();
}

UserNamespaceHandshake::~UserNamespaceHandshake() {
  for (int fd : {to_parent_[0], to_parent_[1], to_child_[0], to_child_[1]}) {
    if (fd >= 0) close(fd);
  }
}

absl::Status UserNamespaceHandshake::Open() {
  if (pipe2(to_parent_, O_CLOEXEC) != 0 || pipe2(to_child_, O_CLOEXEC) != 0) {
    return Errno("pipe");
  }
  return absl::OkStatus();
}

absl::Status UserNamespaceHandshake::ChildEnter() {
  close(to_parent_[0]);
  close(to_child_[1]);
  to_parent_[0] = to_child_[1] = -1;
  if (unshare(CLONE_NEWUSER) != 0) {
    return Errno("creating a user namespace for the program's user");
  }
  char c = 0;
  if (!WriteByte(to_parent_[1], 'u') || !ReadByte(to_child_[0], &c) ||
      c != 'm') {
    return absl::PermissionDeniedError(
        "the program's user namespace was not mapped");
  }
  return absl::OkStatus();
}

absl::Status UserNamespaceHandshake::ParentMap(pid_t child, uid_t uid,
                                               gid_t gid) {
  close(to_parent_[1]);
  close(to_child_[0]);
  to_parent_[1] = to_child_[0] = -1;
  char c = 0;
  if (!ReadByte(to_parent_[0], &c) || c != 'u') {
    return absl::OkStatus();  // the child failed first and says why
  }
  absl::Status s;
  if (UnderNoNewPrivs()) {
    s = RequestIdMap(idmap_socket_, child, uid, gid);
  } else {
    s = RunHelper("newuidmap", child, uid);
    if (s.ok()) s = RunHelper("newgidmap", child, gid);
  }
  WriteByte(to_child_[1], s.ok() ? 'm' : 'f');
  return s;
}

absl::Status HandOver(const std::vector<std::string>& paths, uid_t uid,
                      gid_t gid) {
  for (const std::string& path : paths) {
    int fd =
        open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;  // not a directory, a link, or gone
    absl::Status s = Grant(fd, path, uid, gid, 7);
    close(fd);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status LetSend(const std::string& path, uid_t uid, gid_t gid) {
  int fd = open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Errno("opening " + path);
  // O_PATH descriptors take no fchown/fsetxattr: go through /proc.
  absl::Status s = Grant(fd, path, uid, gid, 6);
  close(fd);
  return s;
}

}  // namespace dso
