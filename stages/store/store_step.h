// The "store" step (StoreParams in steps.proto): puts a file into a remote
// store or pushes an image with its signatures (oci://), and gets them
// back, checked against the loading allowlist.
#ifndef DSO_STAGES_STORE_STORE_STEP_H_
#define DSO_STAGES_STORE_STORE_STEP_H_

#include <optional>
#include <string>

#include "stages/core/step.h"
#include "stages/store/store_allowlist.h"

namespace dso {

inline constexpr char kStoredObjectArtifact[] = "object";
inline constexpr char kStoredImageArtifact[] = "image.oci.tar";

class StoreStep : public Step {
 public:
  // `agent_allowlist`: the agent's own loading allowlist (its config),
  // enforced on every get besides the one a request brings.
  explicit StoreStep(std::optional<StoreAllowlist> agent_allowlist = {})
      : agent_allowlist_(std::move(agent_allowlist)) {}
  std::string name() const override { return "store"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;

 private:
  std::optional<StoreAllowlist> agent_allowlist_;
};

}  // namespace dso

#endif  // DSO_STAGES_STORE_STORE_STEP_H_
