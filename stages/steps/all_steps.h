// RegisterAllSteps: the one place every step the agent offers is created,
// each from its part of a typed configuration. Whoever runs steps (the
// agent's runtime) fills StepsConfig from its own settings; no step reads
// the environment or a file for its configuration.
#ifndef DSO_STAGES_STEPS_ALL_STEPS_H_
#define DSO_STAGES_STEPS_ALL_STEPS_H_

#include <optional>

#include "absl/status/status.h"
#include "stages/core/step.h"
#include "stages/deploy/deploy_step.h"
#include "stages/deploy/deploy_target.h"
#include "stages/scan/scan_dirs.h"
#include "stages/store/store_allowlist.h"

namespace dso {

struct StepsConfig {
  // The scan and db steps: rule cache and vulnerability database.
  ScanDirs scan;
  // The store step: the only stores `store get` loads from, besides what a
  // request brings; none: no agent-wide list.
  std::optional<StoreAllowlist> loading_allowlist;
  // The deploy step: its host targets, and the agent's own sockets and
  // directories no application may reach.
  DeployTargets deploy_targets;
  DeployAgentSide deploy_agent;
};

// Registers every step of this build in `registry`.
absl::Status RegisterAllSteps(StepRegistry& registry, StepsConfig config);

}  // namespace dso

#endif  // DSO_STAGES_STEPS_ALL_STEPS_H_
