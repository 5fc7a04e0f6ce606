// Admission of an image to a deployment: the image is brought into the
// run's scratch directory (a registry image pulled with its signatures and
// attestations) and verified there — signature by the target's key, the
// required attestation types, a passed final gate at the target's level,
// the pinned digest —, so that what is unpacked afterwards is byte for
// byte what was verified.
#ifndef DSO_STAGES_DEPLOY_ADMISSION_H_
#define DSO_STAGES_DEPLOY_ADMISSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dso/v1/steps.pb.h"
#include "stages/core/step_context.h"
#include "stages/deploy/deploy_target.h"
#include "stages/oci/oci_layout.h"

namespace dso {

struct Admission {
  bool admitted = false;
  std::vector<std::string> problems;  // why not
  std::string digest;
  std::vector<std::string> verified_types;
  BaseImage image;  // the verified image's config and layers (admitted)
};

absl::StatusOr<Admission> AdmitImage(const dso::v1::DeployParams& params,
                                     const DeployTarget& target,
                                     StepContext& context,
                                     const dso::v1::RunStepRequest& request);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_ADMISSION_H_
