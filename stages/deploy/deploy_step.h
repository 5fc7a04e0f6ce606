// The "deploy" step (DeployParams in steps.proto): admission, then a host
// release with health check and automatic rollback (strategies replace and
// blue-green); also stop, status and the RASP events of a target.
#ifndef DSO_STAGES_DEPLOY_DEPLOY_STEP_H_
#define DSO_STAGES_DEPLOY_DEPLOY_STEP_H_

#include <string>
#include <vector>

#include "stages/core/step.h"
#include "stages/deploy/deploy_target.h"

namespace dso {

class DeployStep : public Step {
 public:
  // `events_socket`: the agent's RASP event socket, given to every dso-run
  // it starts ("" for none); `protect`: the agent's other sockets and its
  // data directory, which no application may reach (dso-run --protect);
  // `app_users_dir`: where the targets' dedicated users are claimed
  // (app_user.h).
  explicit DeployStep(DeployTargets targets = {},
                      std::string events_socket = "",
                      std::vector<std::string> protect = {},
                      std::string app_users_dir = "/var/lib/dso/app-users")
      : targets_(std::move(targets)),
        events_socket_(std::move(events_socket)),
        protect_(std::move(protect)),
        app_users_dir_(std::move(app_users_dir)) {}
  std::string name() const override { return "deploy"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;

 private:
  DeployTargets targets_;
  std::string events_socket_;
  std::vector<std::string> protect_;
  std::string app_users_dir_;
};

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_DEPLOY_STEP_H_
