// The RASP policy a protected program runs under, read from YAML:
//
//   mode: block                  # or monitor (the default): log only
//   exec: [/usr/bin/python3]     # programs it may start (files, or
//                                # directories: everything below)
//   network:
//     connect: ["127.0.0.1:8000-8100", "10.0.0.0/8:443", "[::1]/128:*"]
//     listen: [8080]             # TCP ports it may bind
//     unix: [/run/postgresql, "@name"]   # Unix sockets it may reach
//   files:
//     writable: [data, /tmp]     # relative paths: to the base directory
//   syscalls:
//     deny: [chroot]             # more than the default deny list
//     allow: [ptrace]            # taken off the default deny list
//   capabilities: [NET_BIND_SERVICE]   # kept; all others are dropped
//   allow_root: false            # true: the program may run as root
//
// A section left out does not restrict (no `exec:` lets it start anything);
// an empty list allows nothing. Paths are made canonical (symbolic links
// resolved) and must exist. Who owns what: the launcher (dso_run_main.cc)
// loads the policy, hands it to the sandbox (sandbox.h) and, encoded, to
// the preloaded monitor (rasp_preload.cc).
#ifndef DSO_STAGES_RASP_POLICY_H_
#define DSO_STAGES_RASP_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dso {

inline constexpr size_t kRaspMaxRules = 64;  // per list, for the monitor

struct RaspPolicy {
  bool block = false;                               // mode: block
  std::optional<std::vector<std::string>> exec;     // canonical paths
  std::optional<std::vector<std::string>> connect;  // CIDR:PORTS
  std::optional<std::vector<uint16_t>> listen;      // TCP ports
  // Unix sockets: canonical paths (files or directories), "@name" for an
  // abstract socket.
  std::optional<std::vector<std::string>> unix_sockets;
  std::optional<std::vector<std::string>> writable;  // canonical paths
  std::vector<std::string> deny_syscalls;            // beyond the defaults
  std::vector<std::string> allow_syscalls;           // off the defaults
  std::vector<std::string> capabilities;  // CAP_ names without "CAP_"
  bool allow_root = false;                // allow_root: true
};

// Parses a policy; `name` (the file) goes into errors, relative paths are
// taken from `base_dir`.
absl::StatusOr<RaspPolicy> ParseRaspPolicy(const std::string& yaml,
                                           const std::string& name,
                                           const std::string& base_dir);

absl::StatusOr<RaspPolicy> LoadRaspPolicy(const std::string& path,
                                          const std::string& base_dir);

// The policy as the monitor reads it from DSO_RASP_POLICY: lines of
// "key=value" (mode, exec, connect, write, unix, allow), one value per
// line; `protect`: paths the program may never reach a socket below,
// whatever the policy (the agent's own).
std::string EncodeForMonitor(const RaspPolicy& policy,
                             const std::vector<std::string>& protect = {});

}  // namespace dso

#endif  // DSO_STAGES_RASP_POLICY_H_
