// Deployment settings: the agent config's deploy_targets and a release's
// recorded start-up (release.json's "app"), read back from a target's
// directory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stages/deploy/app_process.h"
#include "stages/deploy/deploy_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseDeployTargets(text, "agent.yaml");
  (void)dso::AppSpecFromJson(text);
  return 0;
}
