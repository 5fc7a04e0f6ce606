#include "stages/rasp/internal/idmap_service.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "stages/core/bounded_file.h"
#include "stages/core/fd_passing.h"
#include "stages/rasp/user_switch.h"

namespace dso {
namespace {

constexpr size_t kMaxRequest = 64;
constexpr size_t kMaxReply = 256;
constexpr int kMaxFds = 4;

absl::Status Errno(const std::string& what) {
  return absl::PermissionDeniedError(absl::StrCat(what, ": ", strerror(errno)));
}

// Closes the descriptors it holds.
struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds) close(fd);
  }
  int Add(int fd) {
    if (fd >= 0) fds.push_back(fd);
    return fd;
  }
};

// A /proc status or fdinfo file (a few KiB), read whole.
constexpr uint64_t kMaxProcFile = 64 << 10;

// The first number after "KEY:" on its line of a /proc status-like text.
bool FieldNumber(absl::string_view text, absl::string_view key, int64_t* out) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, key) || !absl::ConsumePrefix(&line, ":")) {
      continue;
    }
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    return !f.empty() && absl::SimpleAtoi(f[0], out);
  }
  return false;
}

bool ParseId(absl::string_view digits, uint32_t* out) {
  if (digits.empty() || digits.size() > 10) return false;
  if (digits.size() > 1 && digits[0] == '0') return false;  // one spelling
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > 0xfffffffeu) return false;  // (uid_t)-1 is no id
  *out = static_cast<uint32_t>(v);
  return true;
}

// Whether `fd` is a pidfd of a process not yet reaped: signal 0 finds it
// (EPERM: it lives, but this service may not signal it; EBADF: not a
// pidfd; ESRCH: gone).
bool LivePidfd(int fd) {
  return syscall(SYS_pidfd_send_signal, fd, 0, nullptr, 0) == 0 ||
         errno == EPERM;
}

// The pid a pidfd names, as its fdinfo says: -1 once the process is
// reaped (its pid free for reuse), 0 outside this pid namespace.
int64_t PidOf(int pidfd) {
  auto info =
      ReadFileUpTo(absl::StrCat("/proc/self/fdinfo/", pidfd), kMaxProcFile);
  int64_t pid = -1;
  if (!info.ok() || !FieldNumber(*info, "Pid", &pid)) return -1;
  return pid;
}

bool SameFile(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

absl::Status WriteMap(int fd, const char* which, uint32_t id) {
  std::string line = absl::StrCat(id, " ", id, " 1\n");
  if (write(fd, line.data(), line.size()) !=
      static_cast<ssize_t>(line.size())) {
    return Errno(absl::StrCat("writing the ", which));
  }
  return absl::OkStatus();
}

// Checks everything the header lists, then writes both maps.
absl::Status MapFor(const ucred& peer, int pidfd, const IdMapRequest& req,
                    const IdMapFiles& files) {
  if (req.uid == 0 || req.gid == 0) {
    return absl::PermissionDeniedError("root (id 0) is never mapped");
  }
  if (!LivePidfd(pidfd)) {
    return absl::InvalidArgumentError(
        "the descriptor sent is not a pidfd of a live process");
  }
  int64_t pid = PidOf(pidfd);
  if (pid <= 0) {
    return absl::InvalidArgumentError(
        "the pidfd names no process this service can see");
  }
  std::string proc = absl::StrCat("/proc/", pid);
  auto status = ReadFileUpTo(proc + "/status", kMaxProcFile);
  if (!status.ok()) return status.status();
  int64_t real_uid = -1;
  if (!FieldNumber(*status, "Uid", &real_uid) || real_uid != peer.uid) {
    return absl::PermissionDeniedError(absl::StrCat(
        "process ", pid, " is not the client's (its uid is ", real_uid, ")"));
  }
  Fds fds;
  int ns = fds.Add(open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  int own = fds.Add(open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
  if (ns < 0 || own < 0)
    return Errno("opening process " + proc + "'s namespace");
  uid_t owner = static_cast<uid_t>(-1);
  if (ioctl(ns, NS_GET_OWNER_UID, &owner) != 0 || owner != peer.uid) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the user namespace of process ", pid, " is not the client's"));
  }
  int parent = fds.Add(ioctl(ns, NS_GET_PARENT));
  if (parent < 0 || !SameFile(parent, own)) {
    return absl::PermissionDeniedError(
        absl::StrCat("process ", pid,
                     " is not in a user namespace of its own, made beneath "
                     "this service's"));
  }
  int uid_map =
      fds.Add(open((proc + "/uid_map").c_str(), O_WRONLY | O_CLOEXEC));
  int gid_map =
      fds.Add(open((proc + "/gid_map").c_str(), O_WRONLY | O_CLOEXEC));
  int again = fds.Add(open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (uid_map < 0 || gid_map < 0 || again < 0) {
    return Errno("opening process " + proc + "'s id maps");
  }
  // Opened while the pidfd's process was not yet reaped, in the namespace
  // checked: the maps are that process's, not a later one's with its pid.
  if (!SameFile(ns, again) || PidOf(pidfd) != pid) {
    return absl::PermissionDeniedError(
        absl::StrCat("process ", pid, " changed while being checked"));
  }
  if (!InSubordinateRange(files.subuid, peer.uid, req.uid)) {
    return absl::PermissionDeniedError(
        absl::StrCat("uid ", req.uid, " is not in a subordinate range of uid ",
                     peer.uid, " in ", files.subuid));
  }
  if (!InSubordinateRange(files.subgid, peer.uid, req.gid)) {
    return absl::PermissionDeniedError(
        absl::StrCat("gid ", req.gid, " is not in a subordinate range of uid ",
                     peer.uid, " in ", files.subgid));
  }
  if (auto s = WriteMap(uid_map, "uid_map", req.uid); !s.ok()) return s;
  if (auto s = WriteMap(gid_map, "gid_map", req.gid); !s.ok()) return s;
  return absl::OkStatus();
}

// Reads the request (and the descriptors sent with it) until its newline.
absl::StatusOr<std::string> ReceiveRequest(int conn, absl::Time until,
                                           Fds& received) {
  std::string text;
  while (text.find('\n') == std::string::npos) {
    absl::Duration left = until - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("no complete request in time");
    }
    pollfd p = {conn, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // the deadline check above ends it
    char buf[kMaxRequest];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    iovec iov = {buf, sizeof(buf)};
    msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(conn, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Errno("reading the request");
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        received.Add(fd);
      }
    }
    if (msg.msg_flags & MSG_CTRUNC) {
      return absl::InvalidArgumentError("more descriptors than one were sent");
    }
    if (n == 0) return absl::InvalidArgumentError("the request ended early");
    text.append(buf, n);
    if (text.size() > kMaxRequest) {
      return absl::InvalidArgumentError("the request is too long");
    }
  }
  return text;
}

// `text` cut to `max` bytes, each byte that is not printable ASCII a '?':
// what crosses the socket, either way, is one harmless line.
std::string PrintableLine(absl::string_view text, size_t max) {
  std::string out(text.substr(0, max));
  for (char& c : out) {
    if (!absl::ascii_isprint(static_cast<unsigned char>(c))) c = '?';
  }
  return out;
}

void Answer(int conn, const absl::Status& s) {
  std::string reply =
      s.ok()
          ? "ok\n"
          : PrintableLine(absl::StrCat("error: ", s.message()), kMaxReply - 1) +
                "\n";
  send(conn, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

absl::StatusOr<IdMapRequest> ParseIdMapRequest(absl::string_view text) {
  absl::string_view rest = text;
  IdMapRequest req;
  std::vector<absl::string_view> f;
  if (absl::ConsumeSuffix(&rest, "\n") && absl::ConsumePrefix(&rest, "map ")) {
    f = absl::StrSplit(rest, ' ');
  }
  if (f.size() != 2 || !ParseId(f[0], &req.uid) || !ParseId(f[1], &req.gid)) {
    return absl::InvalidArgumentError(
        "the request is not \"map UID GID\" and a newline");
  }
  return req;
}

std::string FormatIdMapRequest(const IdMapRequest& request) {
  return absl::StrCat("map ", request.uid, " ", request.gid, "\n");
}

absl::StatusOr<std::string> ServeIdMapClient(int conn, absl::Duration deadline,
                                             const IdMapFiles& files) {
  ucred peer = {};
  socklen_t len = sizeof(peer);
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) {
    return Errno("reading the client's credentials");
  }
  std::string who = absl::StrCat("client pid ", peer.pid, " uid ", peer.uid);
  Fds received;
  absl::Status s;
  auto text = ReceiveRequest(conn, absl::Now() + deadline, received);
  if (!text.ok()) {
    s = text.status();
  } else if (auto req = ParseIdMapRequest(*text); !req.ok()) {
    s = req.status();
  } else if (received.fds.size() != 1) {
    s = absl::InvalidArgumentError("the request needs one pidfd with it");
  } else {
    s = MapFor(peer, received.fds[0], *req, files);
    if (s.ok()) {
      Answer(conn, s);
      return absl::StrCat(who, ": mapped uid ", req->uid, " gid ", req->gid);
    }
  }
  Answer(conn, s);
  return absl::Status(s.code(), absl::StrCat(who, ": ", s.message()));
}

absl::Status RequestIdMap(const std::string& socket_path, pid_t child,
                          uid_t uid, gid_t gid) {
  std::string what = absl::StrCat("the id-mapping service at ", socket_path);
  Fds fds;
  int pidfd = fds.Add(static_cast<int>(syscall(SYS_pidfd_open, child, 0)));
  if (pidfd < 0) return Errno("pidfd_open of the program's process");
  std::string reply, error;
  if (!ExchangeWithDescriptor(socket_path, FormatIdMapRequest({uid, gid}),
                              pidfd, /*timeout_seconds=*/5, kMaxReply, &reply,
                              &error)) {
    return absl::UnavailableError(absl::StrCat(what, ": ", error));
  }
  if (reply == "ok") return absl::OkStatus();
  absl::string_view why = absl::StripAsciiWhitespace(reply);
  if (!absl::ConsumePrefix(&why, "error: ")) why = "no answer";
  return absl::PermissionDeniedError(
      absl::StrCat(what, " did not map user ", uid, ":", gid, ": ",
                   PrintableLine(why, kMaxReply)));
}

}  // namespace dso
