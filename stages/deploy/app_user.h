// The user a deployed application runs as. Never the agent's own: a
// target without a user of its own (in its settings, or the image's
// numeric non-root user) gets a dedicated one — a UID (and a group of the
// same id) from 61184–65519, the range systemd keeps for dynamic users,
// that no account, group or running process holds —, recorded in the
// target's directory (app-user) so every release of the target runs as
// the same user, and claimed in the agent's data directory (app-users/UID)
// so no two of its targets share one. An agent that is not root switches
// through a user namespace (stages/rasp/user_switch.h), so only to ids its
// subordinate ranges (/etc/subuid, /etc/subgid) hold; with none, the
// application runs as the agent's user, which dso-run reports. Root only
// when the RASP policy says allow_root: true and the image asks for it (or
// names no user).
#ifndef DSO_STAGES_DEPLOY_APP_USER_H_
#define DSO_STAGES_DEPLOY_APP_USER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace dso {

inline constexpr uint32_t kDedicatedUidFirst = 61184;
inline constexpr uint32_t kDedicatedUidLast = 65519;

// "UID:GID", "" (no switch: root, or the agent's own user), or the
// target's own setting as written.
absl::StatusOr<std::string> ChooseAppUser(const std::string& target_dir,
                                          const std::string& claims_dir,
                                          const std::string& target_user,
                                          const std::string& image_user,
                                          bool allow_root);

// The target's dedicated user id: read from <target_dir>/app-user, or
// chosen among the ids this process can switch to, claimed in
// `claims_dir` and recorded there.
absl::StatusOr<uint32_t> DedicatedUid(const std::string& target_dir,
                                      const std::string& claims_dir);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_APP_USER_H_
