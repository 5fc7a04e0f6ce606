#include "runtime/unix_listener.h"

#include <grpcpp/server.h>
#include <grpcpp/server_posix.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "runtime/ecs_log.h"

namespace dso {

absl::StatusOr<int> ListenUnix(const std::string& path, unsigned mode) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Unix socket path '", path, "' is empty or longer than ",
                     sizeof(addr.sun_path) - 1, " bytes"));
  }
  memcpy(addr.sun_path, path.c_str(), path.size());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(),
                                      ec);
  std::filesystem::remove(path, ec);  // a stale socket from a dead agent
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create a Unix socket: ", strerror(errno)));
  }
  auto fail = [&](absl::string_view what) {
    absl::Status s = absl::UnavailableError(absl::StrCat(
        "cannot ", what, " Unix socket '", path, "': ", strerror(errno)));
    close(fd);
    return s;
  };
  // Created with no permissions for anyone, then given `mode`: no peer can
  // connect in between with broader rights than configured.
  mode_t old = umask(0777);
  int bound = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  umask(old);
  if (bound != 0) return fail("bind");
  if (chmod(path.c_str(), mode) != 0) return fail("set the mode of");
  if (listen(fd, 128) != 0) return fail("listen on");
  return fd;
}

absl::StatusOr<UnixAcceptor> ListenUnixWithWakeup(const std::string& path,
                                                  unsigned mode) {
  absl::StatusOr<int> fd = ListenUnix(path, mode);
  if (!fd.ok()) return fd.status();
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    close(*fd);
    return absl::InternalError(
        absl::StrCat("cannot create the wake-up of '", path, "'"));
  }
  return UnixAcceptor{*fd, wake};
}

absl::StatusOr<std::unique_ptr<UnixListener>> UnixListener::Listen(
    const std::string& path, unsigned mode) {
  absl::StatusOr<UnixAcceptor> a = ListenUnixWithWakeup(path, mode);
  if (!a.ok()) return a.status();
  return std::unique_ptr<UnixListener>(
      new UnixListener(path, a->fd, a->wake_fd));
}

UnixListener::~UnixListener() {
  Stop();
  close(fd_);
  close(wake_fd_);
}

void UnixListener::Serve(grpc::Server* server, UnixPeers* peers) {
  thread_ = std::thread([this, server, peers] { AcceptLoop(server, peers); });
}

void UnixListener::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  thread_.join();
}

void UnixListener::AcceptLoop(grpc::Server* server, UnixPeers* peers) {
  struct pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      LogWarn(absl::StrCat("Unix socket ", path_, ": poll: ", strerror(errno)));
      return;
    }
    if (fds[1].revents) return;
    while (true) {
      int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (conn < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) {
          LogWarn(absl::StrCat("Unix socket ", path_,
                               ": out of file descriptors; connections wait"));
          usleep(100000);
        }
        break;  // EAGAIN: all accepted
      }
      // Recorded before gRPC reads the connection's first byte.
      peers->Add(conn);
      grpc::AddInsecureChannelFromFd(server, conn);
    }
  }
}

}  // namespace dso
