// The "build" step: builds an image from the build context and a base
// (image_builder.h) in the run's scratch directory and returns the OCI
// layout as the artifact "image.oci.tar" (and, when asked, a docker
// archive "image.docker.tar"); the result's outputs carry the digests.
#ifndef DSO_STAGES_IMAGE_BUILD_BUILD_STEP_H_
#define DSO_STAGES_IMAGE_BUILD_BUILD_STEP_H_

#include <string>

#include "stages/core/step.h"

namespace dso {

inline constexpr char kImageLayoutArtifact[] = "image.oci.tar";
inline constexpr char kDockerArchiveArtifact[] = "image.docker.tar";

class BuildStep : public Step {
 public:
  std::string name() const override { return "build"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

}  // namespace dso

#endif  // DSO_STAGES_IMAGE_BUILD_BUILD_STEP_H_
