// Credentials a step uses (passwords, tokens, key files' text), looked up
// by name for the destination they will be sent to: first in the run
// request's secrets (sent by the client for this run only), then among the
// agent's own credentials bound to that destination (agent_credentials.h).
// Never log what a lookup returns.
#ifndef DSO_STAGES_CORE_SECRETS_H_
#define DSO_STAGES_CORE_SECRETS_H_

#include <functional>
#include <string>

#include "dso/v1/agent.pb.h"

namespace dso {

class StepContext;

// A credential by name; "" when not set.
using SecretLookup = std::function<std::string(const std::string& name)>;

// The process environment (dsoctl's own, for what it does locally).
std::string EnvSecret(const std::string& name);

// Names that choose where credentials go (an S3 or KMS endpoint, a Vault
// address, plain HTTP to a registry). A request that sets one gets none of
// the agent's credentials: the endpoint is the client's, so must be the
// credentials.
bool RedirectsCredentials(const std::string& name);

// The request's secrets, then the agent's credentials for `destination`
// (none when the request sets a name that RedirectsCredentials, or when
// `client_weakened_transport`: it asked for plain HTTP or unverified TLS).
// `request` and `context` must outlive the lookup.
SecretLookup RequestSecrets(const dso::v1::RunStepRequest& request,
                            const StepContext& context, std::string destination,
                            bool client_weakened_transport = false);

}  // namespace dso

#endif  // DSO_STAGES_CORE_SECRETS_H_
