#include "stages/core/secrets.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "stages/core/step_context.h"

namespace dso {

std::string EnvSecret(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

bool RedirectsCredentials(const std::string& name) {
  return name == "DSO_S3_ENDPOINT" || name == "DSO_KMS_ENDPOINT" ||
         absl::StartsWith(name, "AWS_ENDPOINT_URL") || name == "VAULT_ADDR" ||
         name == "DSO_REGISTRY_PLAIN_HTTP";
}

SecretLookup RequestSecrets(const dso::v1::RunStepRequest& request,
                            const StepContext& context, std::string destination,
                            bool client_weakened_transport) {
  bool agent_may_lend = !client_weakened_transport;
  for (const auto& [name, value] : request.secrets()) {
    if (!value.empty() && RedirectsCredentials(name)) agent_may_lend = false;
  }
  return [&request, &context, agent_may_lend,
          destination = std::move(destination)](const std::string& name) {
    auto it = request.secrets().find(name);
    if (it != request.secrets().end() && !it->second.empty()) {
      return it->second;
    }
    if (!agent_may_lend) return std::string();
    return context.agent_credentials().Lookup(destination, name);
  };
}

}  // namespace dso
