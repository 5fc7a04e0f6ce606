// Where a step finds the image a request names: an OCI layout directory as
// it is, or a docker archive — which travels to a remote agent as a
// directory holding just that file.
#ifndef DSO_STAGES_OCI_IMAGE_INPUT_H_
#define DSO_STAGES_OCI_IMAGE_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/steps.pb.h"
#include "stages/core/step_context.h"

namespace dso {

absl::StatusOr<std::string> ResolveImageInput(StepContext& context,
                                              const dso::v1::Input& input);

}  // namespace dso

#endif  // DSO_STAGES_OCI_IMAGE_INPUT_H_
