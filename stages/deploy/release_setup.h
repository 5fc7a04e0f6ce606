// Fills a new release directory: the image's files under rootfs/, the
// shared directories linked in, the RASP policy copied beside them (a
// rollback runs the old release under its old policy), and how the
// application starts (AppSpec) from the image's configuration and the
// target's settings, written to release.json.
//
// The process runs on the host, not in a container: its working directory
// is the image's WorkingDir inside rootfs/, and absolute paths in its
// command that exist in the release are taken from the release
// ("python3 /app/main.py" runs the host's python3 on rootfs/app/main.py).
#ifndef DSO_STAGES_DEPLOY_RELEASE_SETUP_H_
#define DSO_STAGES_DEPLOY_RELEASE_SETUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "stages/deploy/admission.h"
#include "stages/deploy/app_process.h"
#include "stages/deploy/deploy_target.h"

namespace dso {

struct ReleaseInputs {
  std::string dir;          // the target's directory
  std::string release_id;   // from CreateRelease
  std::string rasp_policy;  // a policy file, or "" for monitor-only
  std::string image_name;   // for the record
  int port = 0;
  std::string app_users_dir;  // where dedicated users are claimed
};

// Unpacks and sets up the release; returns how to start it. A RASP policy
// that does not load fails here, before anything running is touched.
absl::StatusOr<AppSpec> SetUpRelease(const ReleaseInputs& in,
                                     const DeployTarget& target,
                                     const Admission& admission,
                                     std::string* summary);

// The ids of a numeric user "UID" or "UID:GID" (the group defaults to the
// user's id, also when it is not a number); false for a user name.
bool NumericUser(const std::string& user, uint32_t* uid, uint32_t* gid);

// The user the image's configuration names ("" for none).
std::string ImageConfigUser(const BaseImage& image);

// The AppSpec recorded in a release's release.json.
absl::StatusOr<AppSpec> ReadReleaseSpec(const std::string& dir,
                                        const std::string& release_id);

// Marks a release as failed (release.json gains "failed": why).
void MarkReleaseFailed(const std::string& dir, const std::string& release_id,
                       const std::string& why);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_RELEASE_SETUP_H_
