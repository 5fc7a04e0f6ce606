// Credentials a step uses (passwords, tokens, key files' text), looked up
// by name: first in the run request's secrets (sent by the client for this
// run only), then in the process environment (the agent's own, or
// dsoctl's when embedded). Never log what a lookup returns.
#ifndef DSO_STAGES_CORE_SECRETS_H_
#define DSO_STAGES_CORE_SECRETS_H_

#include <functional>
#include <string>

#include "dso/v1/agent.pb.h"

namespace dso {

// A credential by name; "" when not set.
using SecretLookup = std::function<std::string(const std::string& name)>;

// The process environment.
std::string EnvSecret(const std::string& name);

// The request's secrets, then the environment. `request` must outlive the
// lookup.
SecretLookup RequestSecrets(const dso::v1::RunStepRequest& request);

}  // namespace dso

#endif  // DSO_STAGES_CORE_SECRETS_H_
