// How dso-run gives the program another user. As root: setgid/setuid in
// the child (sandbox.h). As any other user — the packaged agent runs as
// `dso` — through a user namespace: the child creates one, and the
// system's newuidmap/newgidmap (package uidmap, setuid root) — or, for an
// agent under no_new_privs, the dso-idmap service (idmap_service.h) — map
// into it only the program's ids, which the caller's subordinate ranges
// (/etc/subuid, /etc/subgid) must hold; the child then switches to them as
// root would (supplementary groups dropped too). The program's ids are then
// real ids on the host, not the caller's: file and signal permissions keep
// it from the caller's files, sockets and processes. The caller hands it
// the directories it may write (and its event socket) with an ACL entry,
// which needs no privilege. Owner: the launcher (launcher.cc) runs both
// sides.
#ifndef DSO_STAGES_RASP_USER_SWITCH_H_
#define DSO_STAGES_RASP_USER_SWITCH_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "stages/rasp/internal/idmap_service.h"

namespace dso {

// Whether switching to `uid`:`gid` needs a user namespace (not root, and
// another user than the caller's).
bool NeedsUserNamespace(uid_t uid);

// Whether this process runs under no_new_privs, where newuidmap's setuid
// bit does not act and the id-mapping service (idmap_service.h) maps.
bool UnderNoNewPrivs();

// Fails, naming what to set up, when the caller could not map `uid` and
// `gid`: newuidmap/newgidmap missing (or, under no_new_privs, the socket
// of the id-mapping service), or ids outside its subordinate ranges.
absl::Status CheckCanMap(uid_t uid, gid_t gid,
                         const std::string& idmap_socket = kIdMapSocket);

// Whether `id` lies in a subordinate range of user `owner` in `file`
// (/etc/subuid or /etc/subgid), read at most 1 MiB.
bool InSubordinateRange(const std::string& file, uid_t owner, uint32_t id);

// The same over the file's `text`: lines "NAME_OR_ID:START:COUNT", where
// NAME_OR_ID is `owner` (a user name) or `owner_uid`; others are ignored.
bool SubordinateRangeHolds(absl::string_view text, absl::string_view owner,
                           uint32_t owner_uid, uint32_t id);

// The handshake across fork: the child enters a new user namespace and
// waits; the parent maps it and lets it go on.
class UserNamespaceHandshake {
 public:
  explicit UserNamespaceHandshake(std::string idmap_socket = kIdMapSocket)
      : idmap_socket_(std::move(idmap_socket)) {}
  ~UserNamespaceHandshake();
  UserNamespaceHandshake(const UserNamespaceHandshake&) = delete;
  UserNamespaceHandshake& operator=(const UserNamespaceHandshake&) = delete;

  // Before fork.
  absl::Status Open();
  // In the child: unshare(CLONE_NEWUSER), tell the parent, wait until it
  // has mapped the namespace.
  absl::Status ChildEnter();
  // In the parent: wait for the child, map `uid`:`gid` into its namespace
  // (newuidmap/newgidmap, or under no_new_privs the id-mapping service),
  // let it go on.
  absl::Status ParentMap(pid_t child, uid_t uid, gid_t gid);

 private:
  std::string idmap_socket_;
  int to_parent_[2] = {-1, -1};
  int to_child_[2] = {-1, -1};
};

// Gives the program's user `uid`:`gid` each of `paths` (the caller's own
// directories, such as a deployment's shared ones: read, write, search):
// as root by ownership, otherwise by an ACL entry for `uid`. Paths the
// caller does not own, and symbolic links, are left alone.
absl::Status HandOver(const std::vector<std::string>& paths, uid_t uid,
                      gid_t gid);

// Lets `uid` send to the caller's socket at `path` (an ACL entry; as root,
// ownership).
absl::Status LetSend(const std::string& path, uid_t uid, gid_t gid);

}  // namespace dso

#endif  // DSO_STAGES_RASP_USER_SWITCH_H_
