// NoopStep ("noop"): emits a requested number of log lines and succeeds.
// It exists to measure the agent's RPC and event-streaming path without a
// fork in the way (tests/bench).
#ifndef DSO_STAGES_CORE_INTERNAL_NOOP_STEP_H_
#define DSO_STAGES_CORE_INTERNAL_NOOP_STEP_H_

#include "stages/core/step.h"

namespace dso {

class NoopStep : public Step {
 public:
  std::string name() const override { return "noop"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

}  // namespace dso

#endif  // DSO_STAGES_CORE_INTERNAL_NOOP_STEP_H_
