// Where a step finds the image a request names: an OCI layout directory as
// it is, or a docker archive — which travels to a remote agent as a
// directory holding just that file —, or an image pulled from a registry.
#ifndef DSO_STAGES_OCI_IMAGE_INPUT_H_
#define DSO_STAGES_OCI_IMAGE_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/steps.pb.h"
#include "stages/core/secrets.h"
#include "stages/core/step_context.h"
#include "stages/oci/registry.h"

namespace dso {

absl::StatusOr<std::string> ResolveImageInput(StepContext& context,
                                              const dso::v1::Input& input);

// Pulls a registry image into the run's scratch directory (registry.h),
// with the request's credentials (DSO_REGISTRY_USERNAME,
// DSO_REGISTRY_PASSWORD; DSO_REGISTRY_PLAIN_HTTP=1 for an HTTP registry
// that is not on loopback), else the agent's bound to the repository;
// returns the layout's path.
absl::StatusOr<std::string> PullForStep(const std::string& reference,
                                        const dso::v1::RunStepRequest& request,
                                        StepContext& context);

// The destination registry credentials are looked up for (secrets.h):
// "HOST[:PORT]/REPOSITORY".
std::string RegistryDestination(const RegistryRef& ref);

// Registry options from credentials: DSO_REGISTRY_USERNAME,
// DSO_REGISTRY_PASSWORD, DSO_REGISTRY_PLAIN_HTTP=1.
RegistryOptions RegistryOptionsFrom(const SecretLookup& secret);

}  // namespace dso

#endif  // DSO_STAGES_OCI_IMAGE_INPUT_H_
