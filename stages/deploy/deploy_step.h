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

// What the agent tells the deploy step about itself.
struct DeployAgentSide {
  // Its RASP event socket, given to every dso-run it starts ("" for none).
  std::string events_socket;
  // Its other sockets and its data directory, which no application may
  // reach (dso-run --protect).
  std::vector<std::string> protect;
  // Where the targets' dedicated users are claimed (app_user.h).
  std::string app_users_dir = "/var/lib/dso/app-users";
};

class DeployStep : public Step {
 public:
  explicit DeployStep(DeployTargets targets = {}, DeployAgentSide agent = {})
      : targets_(std::move(targets)), agent_(std::move(agent)) {}
  std::string name() const override { return "deploy"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  // "deploy: ACTION IMAGE -> TARGET": who deployed what where, in the
  // history of runs.
  std::string Describe(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;

 private:
  DeployTargets targets_;
  DeployAgentSide agent_;
};

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_DEPLOY_STEP_H_
