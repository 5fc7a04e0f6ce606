// The "deploy" step (DeployParams in steps.proto): admission, then a host
// release with health check and automatic rollback (strategies replace and
// blue-green); also stop, status and the RASP events of a target.
#ifndef DSO_STAGES_DEPLOY_DEPLOY_STEP_H_
#define DSO_STAGES_DEPLOY_DEPLOY_STEP_H_

#include <string>

#include "stages/core/step.h"
#include "stages/deploy/deploy_target.h"

namespace dso {

class DeployStep : public Step {
 public:
  explicit DeployStep(DeployTargets targets = {})
      : targets_(std::move(targets)) {}
  std::string name() const override { return "deploy"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;

 private:
  DeployTargets targets_;
};

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_DEPLOY_STEP_H_
