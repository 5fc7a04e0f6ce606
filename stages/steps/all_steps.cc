#include "stages/steps/all_steps.h"

#include <memory>
#include <utility>

#include "stages/core/status_macros.h"
#include "stages/gate/gate_step.h"
#include "stages/image_build/build_step.h"
#include "stages/scan/scan_step.h"
#include "stages/sign/sign_step.h"
#include "stages/store/store_step.h"

namespace dso {

absl::Status RegisterAllSteps(StepRegistry& registry, StepsConfig config) {
  RETURN_IF_ERROR(RegisterCoreSteps(registry));               // exec, noop
  RETURN_IF_ERROR(RegisterScanSteps(registry, config.scan));  // scan, db
  RETURN_IF_ERROR(registry.Register(std::make_unique<GateStep>()));
  RETURN_IF_ERROR(registry.Register(std::make_unique<BuildStep>()));
  RETURN_IF_ERROR(registry.Register(std::make_unique<SignStep>()));
  RETURN_IF_ERROR(registry.Register(std::make_unique<VerifyStep>()));
  RETURN_IF_ERROR(registry.Register(
      std::make_unique<StoreStep>(std::move(config.loading_allowlist))));
  return registry.Register(std::make_unique<DeployStep>(
      std::move(config.deploy_targets), std::move(config.deploy_agent)));
}

}  // namespace dso
