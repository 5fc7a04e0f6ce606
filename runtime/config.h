// AgentConfig: dso-agent's settings, from a YAML file and the command line.
//
// Example (every key optional; the defaults are shown):
//
//   listen: ["unix:///run/dso/agent.sock"]   # or host:port (mTLS required)
//   data_dir: /var/lib/dso-agent
//   cache_dir: ""              # compiled secret rules; "": <data_dir>/cache
//   db_dir: ""                 # the vulnerability database; "": <data_dir>/osv
//   allowed_roots: []          # local paths steps may read (inputs, key
//                              # files, databases); else tar upload
//   store_roots: []            # directories file:// stores may lie beneath;
//                              # none: file:// stores are refused
//   labels: {}                 # e.g. {zone: dmz, os: debian12}
//   permissions: {}            # key -> steps and rights (runtime/caller.h):
//                              # keys unix:USER, unix-group:GROUP,
//                              # x509:NAME, "*"; rights runs:read,
//                              # runs:cancel, artifacts:read, artifacts:put;
//                              # absent: everyone runs all, sees its own
//                              # e.g. {x509:release: ["*"], "*": [exec]}
//   max_concurrent_runs: 4
//   default_deadline: 1h       # runs without their own deadline
//   max_deadline: 6h           # cap on any requested deadline
//   kill_grace: 10s            # SIGTERM -> SIGKILL on cancellation; the
//                              # most a request may ask for
//   shutdown_grace: 30s        # SIGTERM to the agent: runs may finish
//   retention: {max_age: 168h, max_runs: 1000, max_store_bytes: 68719476736}
//                              # runs; artifact store blobs unused for
//                              # max_age go, and the least recently used
//                              # above max_store_bytes
//   max_message_bytes: 4194304
//   max_blob_bytes: 17179869184  # largest artifact accepted
//   tls: {cert: server.pem, key: server.key, client_ca: ca.pem}
//   insecure_tcp: false        # plain TCP, loopback addresses only
//   metrics_listen: ""         # e.g. 127.0.0.1:9464 serves /metrics
//   socket_mode: "0660"
//   deploy_targets: {}         # name -> host target (deploy_target.h)
//   loading_allowlist: ""      # a YAML file: the only stores (and
//                              # artifacts) `store get` may load from,
//                              # on top of any a request brings
//   credentials: []            # the agent's own credentials (variables of
//                              # its environment) and the only destinations
//                              # they go to (stages/core/agent_credentials.h):
//                              # - {to: [s3://releases/], env:
//                              [AWS_ACCESS_KEY_ID, #    AWS_SECRET_ACCESS_KEY]}
//                              # absent: a request gets only credentials it
//                              # sent itself
//   input_handles: true        # local clients of the agent's own user (or
//                              # root) hand directories over to be read in
//                              # place, not uploaded (runtime/input_handles.h);
//                              # false: every client sends tars
//   read_limits: {key: 1048576, config: 8388608, manifest: 16777216,
//                 document: 268435456, report: 536870912}
//                              # the most bytes read of a file a request
//                              # names, per kind (stages/core/bounded_file.h)
#ifndef DSO_RUNTIME_CONFIG_H_
#define DSO_RUNTIME_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "stages/core/agent_credentials.h"
#include "stages/core/bounded_file.h"

namespace dso {

struct TlsFiles {
  std::string cert, key, client_ca;
  bool enabled() const { return !cert.empty(); }
};

struct AgentConfig {
  std::vector<std::string> listen;
  std::string data_dir = "/var/lib/dso-agent";
  std::string cache_dir;  // "": data_dir/cache
  std::string db_dir;     // "": data_dir/osv
  std::vector<std::string> allowed_roots;
  std::vector<std::string> store_roots;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::vector<std::string>> permissions;
  int max_concurrent_runs = 4;
  absl::Duration default_deadline = absl::Hours(1);
  absl::Duration max_deadline = absl::Hours(6);
  absl::Duration kill_grace = absl::Seconds(10);
  absl::Duration shutdown_grace = absl::Seconds(30);
  absl::Duration retention_max_age = absl::Hours(168);
  int retention_max_runs = 1000;
  uint64_t retention_max_store_bytes = 64ull << 30;
  int max_message_bytes = 4 << 20;
  uint64_t max_blob_bytes = 16ull << 30;
  TlsFiles tls;
  bool insecure_tcp = false;
  std::string metrics_listen;
  unsigned socket_mode = 0660;
  std::string loading_allowlist;
  // The deploy_targets map, as YAML (stages/deploy/deploy_target.h).
  std::string deploy_targets_yaml;
  std::vector<CredentialBinding> credentials;
  FileReadLimits read_limits;
  bool input_handles = true;
};

// Parses YAML text; `source` names the file in error messages. Unknown keys
// are errors (a typo must not silently fall back to a default).
absl::StatusOr<AgentConfig> ParseAgentConfig(const std::string& yaml,
                                             const std::string& source);
absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path);

// The documented environment overrides, applied by whoever starts a
// runtime (dso-agent, embedded dsoctl) once: DSO_CACHE_DIR and DSO_DB_DIR,
// when set and not empty, replace cache_dir and db_dir.
void ApplyEnvironmentOverrides(AgentConfig& config);

// Parses "90s", "15m", "1h30m", "2h"; a bare number is seconds.
absl::StatusOr<absl::Duration> ParseConfigDuration(const std::string& text);

}  // namespace dso

#endif  // DSO_RUNTIME_CONFIG_H_
