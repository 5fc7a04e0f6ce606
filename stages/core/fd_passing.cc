#include "stages/core/fd_passing.h"

#include <sys/socket.h>

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

}  // namespace dso
