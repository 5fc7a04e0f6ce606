// What the gate reads from a pipeline: reports (SARIF, dso JSON, CycloneDX),
// policies and waivers.
#include <cstddef>
#include <cstdint>

#include "stages/gate/gate_policy.h"
#include "stages/gate/gate_reports.h"
#include "stages/gate/gate_waivers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseReport(text, "fuzzed.sarif");
  (void)dso::ParsePolicy(text, "policy.yaml");
  (void)dso::ParseWaivers(text, "waivers.yaml");
  return 0;
}
