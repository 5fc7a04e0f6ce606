#include "stages/core/fd_passing.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dso {

bool SendWithDescriptor(int sock, std::string_view bytes, int fd) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov = {const_cast<char*>(bytes.data()), bytes.size()};
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  if (n == static_cast<ssize_t>(bytes.size())) return true;
  if (n >= 0) errno = EMSGSIZE;  // a short send: the rest went nowhere
  return false;
}

bool ExchangeWithDescriptor(const std::string& path, std::string_view request,
                            int fd, int timeout_seconds, size_t max_reply,
                            std::string* reply, std::string* error) {
  reply->clear();
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    *error = "the socket path is empty or too long";
    return false;
  }
  memcpy(addr.sun_path, path.data(), path.size());
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return false;
  }
  timeval tv = {timeout_seconds, 0};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  bool ok = false;
  if (connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    *error = std::string("cannot connect: ") + strerror(errno);
  } else if (!SendWithDescriptor(sock, request, fd)) {
    *error = std::string("cannot send: ") + strerror(errno);
  } else {
    char buf[256];
    while (reply->size() < max_reply &&
           reply->find('\n') == std::string::npos) {
      ssize_t n = read(sock, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // closed, or silent past the timeout
      reply->append(buf, n);
    }
    size_t newline = reply->find('\n');
    reply->resize(std::min(newline, std::min(reply->size(), max_reply)));
    ok = true;
  }
  close(sock);
  return ok;
}

}  // namespace dso
