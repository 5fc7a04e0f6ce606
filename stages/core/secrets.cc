#include "stages/core/secrets.h"

#include <cstdlib>

namespace dso {

std::string EnvSecret(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

SecretLookup RequestSecrets(const dso::v1::RunStepRequest& request) {
  return [&request](const std::string& name) {
    auto it = request.secrets().find(name);
    if (it != request.secrets().end() && !it->second.empty()) {
      return it->second;
    }
    return EnvSecret(name);
  };
}

}  // namespace dso
