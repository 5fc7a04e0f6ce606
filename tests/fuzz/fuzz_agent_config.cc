// The agent's config and the deploy targets in it: written by an operator,
// but a typo or a damaged file must be an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseAgentConfig(text, "config.yaml");
  (void)dso::ParseConfigDuration(text);
  return 0;
}
