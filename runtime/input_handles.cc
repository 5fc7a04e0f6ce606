#include "runtime/input_handles.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/caller.h"
#include "runtime/ecs_log.h"
#include "runtime/unix_listener.h"
#include "stages/core/fd_io.h"
#include "stages/core/fd_passing.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

constexpr int kReceiveMillis = 2000;  // a client has this long to send

void Answer(int conn, absl::string_view line) {
  (void)WriteAll(conn, absl::StrCat(line, "\n"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<InputHandles>> InputHandles::Listen(
    const std::string& path, unsigned mode) {
  absl::StatusOr<UnixAcceptor> a = ListenUnixWithWakeup(path, mode);
  if (!a.ok()) return a.status();
  return std::unique_ptr<InputHandles>(
      new InputHandles(path, a->fd, a->wake_fd));
}

InputHandles::InputHandles(std::string path, int fd, int wake_fd)
    : path_(std::move(path)), fd_(fd), wake_fd_(wake_fd) {
  thread_ = std::thread([this] { AcceptLoop(); });
}

InputHandles::~InputHandles() {
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  thread_.join();
  close(fd_);
  close(wake_fd_);
  absl::MutexLock lock(&mu_);
  for (auto& [handle, e] : entries_) close(e.fd);
}

void InputHandles::AcceptLoop() {
  struct pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    Receive(conn);
    close(conn);
  }
}

void InputHandles::Receive(int conn) {
  ucred peer{};
  socklen_t len = sizeof(peer);
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) return;
  struct pollfd in = {conn, POLLIN, 0};
  if (poll(&in, 1, kReceiveMillis) <= 0) return;
  char byte;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) <= 0) return;
  int fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int))) {
      memcpy(&fd, CMSG_DATA(c), sizeof(int));
    }
  }
  if (fd < 0 || (msg.msg_flags & MSG_CTRUNC)) {
    if (fd >= 0) close(fd);
    Answer(conn, "ERR send one descriptor with one byte");
    return;
  }
  // The agent reads beneath it with its own rights: only from a peer that
  // has them all.
  if (peer.uid != geteuid() && peer.uid != 0) {
    close(fd);
    Answer(conn,
           "ERR the agent runs as another user: it reads in place only for "
           "its own user or root; send a tar");
    return;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
    close(fd);
    Answer(conn, "ERR the descriptor is neither a directory nor a file");
    return;
  }
  std::string identity = UnixCaller(peer.uid, peer.gid).identity;
  unsigned char random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) {
    close(fd);
    Answer(conn, "ERR no randomness for a handle");
    return;
  }
  std::string handle = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<char*>(random), sizeof(random)));
  absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    ExpireLocked(now);
    size_t mine = 0;
    for (const auto& [h, e] : entries_) mine += e.identity == identity;
    if (mine >= kMaxPerIdentity || entries_.size() >= kMaxHandles) {
      close(fd);
      Answer(conn, "ERR too many handles not yet used; send a tar");
      return;
    }
    entries_[handle] = Entry{fd, identity, now + kHandleLifetime};
  }
  Answer(conn, absl::StrCat("OK ", handle));
}

void InputHandles::ExpireLocked(absl::Time now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.expires <= now) {
      close(it->second.fd);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

absl::Status CheckHandleName(const std::string& name) {
  bool control = false;
  for (unsigned char c : name) control |= c < 0x20 || c == 0x7f;
  if (name.empty() || name == "." || name == ".." || name.size() > 255 ||
      name.find('/') != std::string::npos || control) {
    return absl::InvalidArgumentError(
        "input handle_name must be one plain file name");
  }
  return absl::OkStatus();
}

absl::Status CopyHandedFile(int fd, const std::string& dir,
                            const std::string& name, uint64_t max_bytes) {
  RETURN_IF_ERROR(CheckHandleName(name));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the handed-over input ", name, " is not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the handed-over input ", name, " has ", st.st_size,
        " bytes; the agent takes at most ", max_bytes, " (max_blob_bytes)"));
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(
        absl::StrCat("cannot create ", dir, ": ", strerror(errno)));
  }
  std::string path = dir + "/" + name;
  int out = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", strerror(errno)));
  }
  // The file may grow while it is read: never more than the limit.
  uint64_t copied = 0;
  off_t in_offset = 0;
  absl::Status status;
  while (true) {
    size_t chunk = 1 << 20;
    ssize_t n = copy_file_range(fd, &in_offset, out, nullptr, chunk, 0);
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                  errno == EOPNOTSUPP)) {
      char buf[1 << 16];
      n = pread(fd, buf, sizeof(buf), in_offset);
      if (n > 0 && write(out, buf, n) != n) n = -1;
      if (n > 0) in_offset += n;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = absl::InternalError(absl::StrCat(
          "copying the handed-over input ", name, ": ", strerror(errno)));
      break;
    }
    if (n == 0) break;
    copied += n;
    if (copied > max_bytes) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "the handed-over input ", name, " grew past the agent's limit of ",
          max_bytes, " bytes (max_blob_bytes)"));
      break;
    }
  }
  if (close(out) != 0 && status.ok()) {
    status = absl::InternalError(absl::StrCat("writing ", path));
  }
  if (!status.ok()) unlink(path.c_str());
  return status;
}

absl::Status UnknownInputHandle(const std::string& handle,
                                const std::string& identity) {
  return absl::NotFoundError(absl::StrCat(
      "input handle ", handle.substr(0, 8), "... is unknown to this agent for ",
      identity, " (expired, used, or never handed over)"));
}

absl::StatusOr<std::map<std::string, InputHandles::Entry>::iterator>
InputHandles::FindLocked(const std::string& handle,
                         const std::string& identity) {
  ExpireLocked(absl::Now());
  auto it = entries_.find(handle);
  if (it == entries_.end() || it->second.identity != identity) {
    return UnknownInputHandle(handle, identity);
  }
  return it;
}

absl::Status InputHandles::Check(const std::string& handle,
                                 const std::string& identity) {
  absl::MutexLock lock(&mu_);
  return FindLocked(handle, identity).status();
}

absl::StatusOr<int> InputHandles::Take(const std::string& handle,
                                       const std::string& identity) {
  absl::MutexLock lock(&mu_);
  auto it = FindLocked(handle, identity);
  if (!it.ok()) return it.status();
  int fd = (*it)->second.fd;
  entries_.erase(*it);
  return fd;
}

absl::StatusOr<std::string> HandOver(const std::string& path, int fd) {
  std::string reply, error;
  if (!ExchangeWithDescriptor(path, "h", fd, /*timeout_seconds=*/5,
                              /*max_reply=*/512, &reply, &error)) {
    return absl::UnavailableError(absl::StrCat("'", path, "': ", error));
  }
  if (absl::StartsWith(reply, "OK ") && reply.size() == 3 + 32) {
    return reply.substr(3);
  }
  return absl::FailedPreconditionError(
      reply.empty() ? std::string("the agent did not answer")
                    : reply.substr(absl::StartsWith(reply, "ERR ") ? 4 : 0));
}

}  // namespace dso
