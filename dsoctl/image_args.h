// What sign, verify and deploy send about an image and a key: the image's
// location (a layout sent or named, or a registry reference), and the key
// file's text and the credentials from this environment as secrets of the
// run.
#ifndef DSO_DSOCTL_IMAGE_ARGS_H_
#define DSO_DSOCTL_IMAGE_ARGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/agent.pb.h"
#include "dsoctl/connection.h"

namespace dso {

// Sends the registry credentials of this environment (DSO_REGISTRY_*) with
// a request that pulls from a registry: an agent lends its own only to the
// registries its config binds them to.
void AddRegistrySecrets(dso::v1::RunStepRequest* req);

// Fills the request's secrets; a key file is read here. Returns the public
// key's PEM when the file holds just that. `flag` names the option in
// errors.
absl::StatusOr<std::string> AddKeySecrets(const std::string& flag,
                                          const std::string& keyref,
                                          dso::v1::RunStepRequest* req);

// Fills the location; returns the local layout directory ("" for a
// registry image).
absl::StatusOr<std::string> SetImageLocation(AgentConnection& conn,
                                             const std::string& image,
                                             dso::v1::ImageLocation* loc);

}  // namespace dso

#endif  // DSO_DSOCTL_IMAGE_ARGS_H_
