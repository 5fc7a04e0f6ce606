// OSV records as a hostile database import may hold them (JSON and YAML).
#include <cstddef>
#include <cstdint>

#include "stages/scan/deps/internal/osv_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseOsvJson(text, "fuzzed.json");
  (void)dso::ParseOsvYaml(text, "fuzzed.yaml");
  return 0;
}
