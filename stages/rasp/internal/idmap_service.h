// dso-idmap: maps a deployed program's user into the user namespace
// dso-run made for it, for an agent that cannot run newuidmap.
//
// The packaged agent runs with NoNewPrivileges=yes, so the setuid bit of
// newuidmap/newgidmap does not act for it, and without a mapping every
// application would run as the agent's own user. This small service (root
// with only the capabilities writing another user's maps takes, listed in
// packaging/dso-idmap.service; socket-activated, its socket 0660 for the
// agent's group) does for the agent what newuidmap does, by the same rule:
//
//   client (dso-run, as the agent's user)       service
//   ------------------------------------------  --------------------------
//   child: unshare(CLONE_NEWUSER), waits
//   pidfd_open(child)
//   sends "map UID GID\n" + the pidfd   ------>  the peer's uid (SO_PEERCRED)
//                                                 the pidfd's process: alive,
//                                                 its real uid the peer's,
//                                                 its user namespace a child
//                                                 of the service's, owned by
//                                                 the peer
//                                                 UID in the peer's range in
//                                                 /etc/subuid, GID in
//                                                 /etc/subgid, neither 0
//                                                 writes "UID UID 1" to its
//                                                 uid_map, "GID GID 1" to
//                                                 its gid_map
//                                   <------   "ok\n" or "error: WHY\n"
//
// One request per connection, at most 64 bytes and one descriptor, within
// a deadline; anything else is refused and answered, never fatal. The
// process is named by a pidfd, so a pid reused between the check and the
// write cannot redirect the mapping.
#ifndef DSO_STAGES_RASP_INTERNAL_IDMAP_SERVICE_H_
#define DSO_STAGES_RASP_INTERNAL_IDMAP_SERVICE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace dso {

// Where the packaged service listens (packaging/dso-idmap.socket).
inline constexpr char kIdMapSocket[] = "/run/dso-idmap.sock";

struct IdMapRequest {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// "map UID GID\n": decimal ids without leading zeros, nothing else.
absl::StatusOr<IdMapRequest> ParseIdMapRequest(absl::string_view text);
std::string FormatIdMapRequest(const IdMapRequest& request);

// Where the service reads the subordinate ranges (tests name others).
struct IdMapFiles {
  std::string subuid = "/etc/subuid";
  std::string subgid = "/etc/subgid";
};

// Serves the one request of the client connected on `conn` (a Unix stream
// socket; not closed here) within `deadline`, and answers it. Returns what
// was done, or why it was refused, naming the client, for the service's
// log.
absl::StatusOr<std::string> ServeIdMapClient(int conn, absl::Duration deadline,
                                             const IdMapFiles& files = {});

// The client side: asks the service at `socket_path` to map `uid`:`gid`
// into the user namespace of `child` (which has entered it and waits).
absl::Status RequestIdMap(const std::string& socket_path, pid_t child,
                          uid_t uid, gid_t gid);

}  // namespace dso

#endif  // DSO_STAGES_RASP_INTERNAL_IDMAP_SERVICE_H_
