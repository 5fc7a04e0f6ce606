// A gitleaks TOML config as a scanned repository may hold it ([extend]
// paths are confined beneath an empty directory).
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/gitleaks_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseGitleaksConfig(text, "fuzzed.toml", "/var/empty",
                                 dso::ExtendPaths::kBeneathBaseDir);
  return 0;
}
