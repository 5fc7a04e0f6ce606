// A systemd unit for a host target, for hosts that run their services
// under systemd: it starts whatever DIR/current is under dso-run with the
// release's own policy, as the release's user, restarts it on failure, and
// adds systemd's own sandboxing (read-only system, private /tmp, no new
// privileges). After `dsoctl deploy` switches `current`, `systemctl
// restart dso-NAME` runs the new release.
#ifndef DSO_STAGES_DEPLOY_SYSTEMD_UNIT_H_
#define DSO_STAGES_DEPLOY_SYSTEMD_UNIT_H_

#include <string>
#include <vector>

#include "stages/deploy/app_process.h"

namespace dso {

// The unit for the release `spec` of the target at `dir` (its release
// directory `release_dir` is replaced by DIR/current throughout);
// `protect`: the agent's sockets the application may never reach.
std::string RenderSystemdUnit(const std::string& dir,
                              const std::string& release_dir,
                              const AppSpec& spec, const std::string& dso_run,
                              const std::vector<std::string>& protect = {});

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_SYSTEMD_UNIT_H_
