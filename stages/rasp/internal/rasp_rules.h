// The RASP policy's rules in the form the preloaded monitor checks them:
// fixed-size records, parsed and matched without allocating. The monitor
// runs inside the protected program, possibly between fork and exec of a
// multi-threaded process where only async-signal-safe code may run, so
// nothing here calls malloc, locks or throws. The launcher uses the same
// parsers to validate a policy before it starts anything.
#ifndef DSO_STAGES_RASP_INTERNAL_RASP_RULES_H_
#define DSO_STAGES_RASP_INTERNAL_RASP_RULES_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace dso::rasp {

// One outbound destination: an address block and a port range.
// Written "CIDR:PORTS": 10.0.0.0/8:443, 127.0.0.1:8000-8100, [::1]/128:*;
// an address without a prefix length is one host; PORTS is N, N-M or *.
// Plain data without initialisers, so that the monitor's static policy is
// zero-filled at load time rather than by a constructor that could run
// after the monitor's own.
struct NetRule {
  int family;  // AF_INET or AF_INET6
  uint8_t addr[16];
  int prefix;  // bits
  uint16_t port_lo;
  uint16_t port_hi;
};

// Parses `text` (NUL-terminated, at most 127 characters). False when it is
// not a rule; `why` then names the part that is wrong.
bool ParseNetRule(const char* text, NetRule* out, const char** why);

// Whether an AF_INET/AF_INET6 destination falls under the rule. An IPv4
// address mapped into IPv6 (::ffff:a.b.c.d) matches IPv4 rules.
bool NetRuleMatches(const NetRule& rule, const sockaddr* addr, socklen_t len);

// Devices every program may write whatever the policy's writable paths
// (Landlock rules in the sandbox, and the monitor's check alike).
inline constexpr const char* kAlwaysWritable[] = {
    "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/pts"};

// Whether `path` is `prefix` or lies below it ("/srv/app" holds
// "/srv/app/x", not "/srv/apple"). Both absolute and normalised.
bool PathUnder(const char* path, const char* prefix);

// Writes "a.b.c.d:port" or "[v6]:port" of an AF_INET/AF_INET6 address into
// `out` (at least 64 bytes); false for other families.
bool FormatSockaddr(const sockaddr* addr, socklen_t len, char* out,
                    size_t size);

}  // namespace dso::rasp

#endif  // DSO_STAGES_RASP_INTERNAL_RASP_RULES_H_
