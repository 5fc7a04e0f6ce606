// The monitor's network hooks (rasp_preload.h): connect, sendto and sendmsg
// to IPv4/IPv6 addresses outside the policy's network.connect list, and to
// Unix sockets outside its network.unix list or among the paths dso-run
// protects whatever the policy (the agent's own sockets).
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>

#include "stages/rasp/internal/rasp_preload.h"

namespace {

using namespace dso::rasp_preload;  // NOLINT: the monitor's own parts

int (*real_connect)(int, const sockaddr*, socklen_t);
ssize_t (*real_sendto)(int, const void*, size_t, int, const sockaddr*,
                       socklen_t);
ssize_t (*real_sendmsg)(int, const msghdr*, int);

bool InetAllowed(const sockaddr* addr, socklen_t len) {
  if (!g.connect_restricted) return true;
  for (int i = 0; i < g.connect_count; ++i) {
    if (dso::rasp::NetRuleMatches(g.connect[i], addr, len)) return true;
  }
  char target[80];
  if (!dso::rasp::FormatSockaddr(addr, len, target, sizeof(target))) {
    return true;
  }
  Report("connect", target, "", "not in the policy's network.connect list");
  return !g.block;
}

bool UnixAllowed(const sockaddr* addr, socklen_t len) {
  constexpr socklen_t kPathAt = offsetof(sockaddr_un, sun_path);
  if (len <= kPathAt) return true;  // unnamed
  const char* raw = reinterpret_cast<const sockaddr_un*>(addr)->sun_path;
  size_t size = static_cast<size_t>(len - kPathAt);
  if (size > sizeof(sockaddr_un::sun_path))
    size = sizeof(sockaddr_un::sun_path);
  char name[sizeof(sockaddr_un::sun_path) + 2];
  char resolved[PATH_MAX];
  const char* target = name;
  if (raw[0] == '\0') {  // abstract: "@name"
    name[0] = '@';
    memcpy(name + 1, raw + 1, size - 1);
    name[size] = '\0';
  } else {
    memcpy(name, raw, size);
    name[size] = '\0';
    if (Canonical(AT_FDCWD, name, resolved)) target = resolved;
    for (int i = 0; i < g.protected_count; ++i) {
      if (dso::rasp::PathUnder(target, g.protect[i])) {
        Report("connect", target, "unix", "the agent's own socket");
        return !g.block;
      }
    }
  }
  if (!g.unix_restricted) return true;
  for (int i = 0; i < g.unix_count; ++i) {
    const char* allowed = g.unix_allowed[i];
    bool match = allowed[0] == '@' ? strcmp(target, allowed) == 0
                                   : target[0] == '/' &&
                                         dso::rasp::PathUnder(target, allowed);
    if (match) return true;
  }
  Report("connect", target, "unix", "not in the policy's network.unix list");
  return !g.block;
}

// Whether a connection (or datagram) to `addr` may go out; reported when
// not.
bool DestinationAllowed(const sockaddr* addr, socklen_t len) {
  if (!g.loaded || addr == nullptr || len < sizeof(sa_family_t)) return true;
  switch (addr->sa_family) {
    case AF_INET:
    case AF_INET6:
      return InetAllowed(addr, len);
    case AF_UNIX:
      return UnixAllowed(addr, len);
    default:
      return true;
  }
}

}  // namespace

namespace dso::rasp_preload {

void FindNetFunctions() {
  Real(real_connect, "connect");
  Real(real_sendto, "sendto");
  Real(real_sendmsg, "sendmsg");
}

}  // namespace dso::rasp_preload

extern "C" {

int connect(int fd, const sockaddr* addr, socklen_t len) {
  if (!DestinationAllowed(addr, len)) {
    errno = EACCES;
    return -1;
  }
  return Real(real_connect, "connect")(fd, addr, len);
}
ssize_t sendto(int fd, const void* buf, size_t size, int flags,
               const sockaddr* addr, socklen_t len) {
  if (!DestinationAllowed(addr, len)) {
    errno = EACCES;
    return -1;
  }
  return Real(real_sendto, "sendto")(fd, buf, size, flags, addr, len);
}
ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
  if (msg != nullptr &&
      !DestinationAllowed(static_cast<const sockaddr*>(msg->msg_name),
                          msg->msg_namelen)) {
    errno = EACCES;
    return -1;
  }
  return Real(real_sendmsg, "sendmsg")(fd, msg, flags);
}

}  // extern "C"
