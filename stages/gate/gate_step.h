// The "gate" step: reads the reports, the policy and the waivers, decides,
// prints the decision condition by condition, and stores it as gate.json,
// gate-junit.xml and gate.intoto.json. Passed (or warn mode): SUCCEEDED;
// failed: POLICY_FAILED; bad input: ERROR naming the file and place.
#ifndef DSO_STAGES_GATE_GATE_STEP_H_
#define DSO_STAGES_GATE_GATE_STEP_H_

#include <string>

#include "stages/core/step.h"

namespace dso {

inline constexpr char kGateDecisionName[] = "gate.json";
inline constexpr char kGateJunitName[] = "gate-junit.xml";
inline constexpr char kGateStatementName[] = "gate.intoto.json";

class GateStep : public Step {
 public:
  std::string name() const override { return "gate"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_STEP_H_
