// Who is calling the agent, and what that caller may do.
//
// Identities live in namespaces, so that no client can take another kind's
// name:
//   unix:USER          a peer on the agent's Unix socket, by SO_PEERCRED
//                      (the user's name, or its uid when it has none)
//   x509:NAME          a client certificate on mutual TLS (its common name,
//                      else its first subject alternative name)
//   embedded           dsoctl running the step in its own process
//   insecure:ADDRESS   a plain-TCP test listener (--insecure-tcp)
//
// The agent config's `permissions` maps keys to grants:
//   unix:USER, unix-group:GROUP, x509:NAME   as above (a Unix peer's
//                      groups are its primary and supplementary ones);
//   local              every Unix peer (the old spelling);
//   NAME               a certificate named NAME (the old spelling: x509:NAME);
//   "*"                any caller no other key matched.
// A grant is a step name, "*" (every step and every right), or a right:
//   runs:read          list, show and attach to other identities' runs
//   runs:cancel        cancel other identities' runs
//   artifacts:read     download and stat any blob, not only one's own
//   artifacts:put      upload blobs (implied by any step but noop)
// A caller's grants are the union of every key that names it; "*" applies
// only when none does. Without `permissions`, every caller may run every
// step and upload; all callers see, cancel and download only their own
// runs and blobs unless granted more.
#ifndef DSO_RUNTIME_CALLER_H_
#define DSO_RUNTIME_CALLER_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace grpc {
class ServerContext;
}

namespace dso {

inline constexpr char kRightReadRuns[] = "runs:read";
inline constexpr char kRightCancelRuns[] = "runs:cancel";
inline constexpr char kRightReadArtifacts[] = "artifacts:read";
inline constexpr char kRightPutArtifacts[] = "artifacts:put";

struct Caller {
  std::string identity;
  // The permission keys that name this caller, most specific first
  // (identity, then groups, then the old spellings); "*" is not among them.
  std::vector<std::string> keys;
};

// Credentials of the Unix socket connections the agent accepted itself, by
// the descriptor gRPC serves them on (its peer string is "fd:N").
// Thread-safe.
class UnixPeers {
 public:
  // Records the peer of the connected socket `fd`; replaces what an earlier
  // connection on the same descriptor number left.
  void Add(int fd);
  // The caller on descriptor `fd`, or a caller with an empty identity.
  Caller Find(int fd) const;

 private:
  mutable absl::Mutex mu_;
  std::map<int, Caller> by_fd_ ABSL_GUARDED_BY(mu_);
};

// The caller of an RPC. `peers` may be null (no Unix listener).
Caller IdentifyCaller(const grpc::ServerContext& context,
                      const UnixPeers* peers);

// The caller of a Unix socket peer with these credentials.
Caller UnixCaller(uid_t uid, gid_t gid);
// The caller of a client certificate named `name`. Its bare name is a key
// too (the old spelling) unless it could be taken for another kind's:
// names with ':' and "local", "embedded", "*" are not.
Caller CertificateCaller(const std::string& name);

// The grants of `permissions` for `caller` (see above); empty permissions
// grant every step and artifacts:put.
class Permissions {
 public:
  explicit Permissions(std::map<std::string, std::vector<std::string>> by_key)
      : by_key_(std::move(by_key)) {}

  bool MayRunStep(const Caller& caller, const std::string& step) const;
  bool Has(const Caller& caller, const std::string& right) const;
  // PERMISSION_DENIED naming the caller, unless MayRunStep.
  absl::Status CheckStep(const Caller& caller, const std::string& step) const;
  // The caller's grants as "step:NAME" and rights, for `agent info`.
  std::vector<std::string> Describe(
      const Caller& caller, const std::vector<std::string>& steps) const;

 private:
  std::vector<std::string> GrantsOf(const Caller& caller) const;
  std::map<std::string, std::vector<std::string>> by_key_;
};

}  // namespace dso

#endif  // DSO_RUNTIME_CALLER_H_
