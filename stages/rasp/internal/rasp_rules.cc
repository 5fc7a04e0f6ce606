#include "stages/rasp/internal/rasp_rules.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>

namespace dso::rasp {
namespace {

// Parses a decimal number of at most 5 digits in [s, end); -1 if not one.
long ParseNumber(const char* s, const char* end) {
  if (s == end || end - s > 5) return -1;
  long value = 0;
  for (; s < end; ++s) {
    if (*s < '0' || *s > '9') return -1;
    value = value * 10 + (*s - '0');
  }
  return value;
}

bool ParsePorts(const char* s, const char* end, NetRule* out) {
  if (end - s == 1 && *s == '*') {
    out->port_lo = 0;
    out->port_hi = 65535;
    return true;
  }
  const char* dash = static_cast<const char*>(memchr(s, '-', end - s));
  long lo = ParseNumber(s, dash ? dash : end);
  long hi = dash ? ParseNumber(dash + 1, end) : lo;
  if (lo < 1 || hi < lo || hi > 65535) return false;
  out->port_lo = static_cast<uint16_t>(lo);
  out->port_hi = static_cast<uint16_t>(hi);
  return true;
}

bool PrefixMatches(const uint8_t* a, const uint8_t* b, int bits) {
  int bytes = bits / 8;
  if (memcmp(a, b, bytes) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

}  // namespace

bool ParseNetRule(const char* text, NetRule* out, const char** why) {
  size_t len = strlen(text);
  const char* colon =
      len ? static_cast<const char*>(memrchr(text, ':', len)) : nullptr;
  if (len > 127 || colon == nullptr) {
    *why = "expected CIDR:PORTS";
    return false;
  }
  if (!ParsePorts(colon + 1, text + len, out)) {
    *why = "the ports are not N, N-M or * within 1-65535";
    return false;
  }
  char host[128];
  const char* slash = static_cast<const char*>(memchr(text, '/', colon - text));
  const char* host_end = slash ? slash : colon;
  const char* host_begin = text;
  if (*host_begin == '[') {
    ++host_begin;
    if (host_end[-1] != ']') {
      *why = "an IPv6 address in brackets lacks its ']'";
      return false;
    }
    --host_end;
  }
  if (host_end <= host_begin) {
    *why = "the address is missing";
    return false;
  }
  memcpy(host, host_begin, host_end - host_begin);
  host[host_end - host_begin] = '\0';
  int max_prefix;
  if (inet_pton(AF_INET, host, out->addr) == 1) {
    out->family = AF_INET;
    max_prefix = 32;
  } else if (inet_pton(AF_INET6, host, out->addr) == 1) {
    out->family = AF_INET6;
    max_prefix = 128;
  } else {
    *why = "the address is not an IPv4 or IPv6 address";
    return false;
  }
  out->prefix = max_prefix;
  if (slash) {
    long prefix = ParseNumber(slash + 1, colon);
    if (prefix < 0 || prefix > max_prefix) {
      *why = "the prefix length is out of range";
      return false;
    }
    out->prefix = static_cast<int>(prefix);
  }
  return true;
}

bool NetRuleMatches(const NetRule& rule, const sockaddr* addr, socklen_t len) {
  const uint8_t* bytes = nullptr;
  int family = 0;
  uint16_t port = 0;
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    bytes = reinterpret_cast<const uint8_t*>(&in->sin_addr);
    family = AF_INET;
    port = ntohs(in->sin_port);
  } else if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    bytes = reinterpret_cast<const uint8_t*>(&in6->sin6_addr);
    family = AF_INET6;
    port = ntohs(in6->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      bytes += 12;
      family = AF_INET;
    }
  } else {
    return false;
  }
  if (family != rule.family) return false;
  if (port < rule.port_lo || port > rule.port_hi) return false;
  return PrefixMatches(bytes, rule.addr, rule.prefix);
}

bool PathUnder(const char* path, const char* prefix) {
  size_t n = strlen(prefix);
  if (n == 1 && prefix[0] == '/') return path[0] == '/';
  return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool FormatSockaddr(const sockaddr* addr, socklen_t len, char* out,
                    size_t size) {
  char host[INET6_ADDRSTRLEN];
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    snprintf(out, size, "%s:%u", host, ntohs(in->sin_port));
    return true;
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    snprintf(out, size, "[%s]:%u", host, ntohs(in6->sin6_port));
    return true;
  }
  return false;
}

}  // namespace dso::rasp
