// What a client of dso-idmap sends (root reads it): the request line, and
// the subordinate-id files it checks the ids against.
#include <cstddef>
#include <cstdint>

#include "stages/rasp/internal/idmap_service.h"
#include "stages/rasp/user_switch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto req = dso::ParseIdMapRequest(in);
  if (req.ok()) {
    // What parses prints back the same.
    if (dso::FormatIdMapRequest(*req) != in) __builtin_trap();
  }
  uint32_t id = size >= 4 ? static_cast<uint32_t>(data[0]) << 24 |
                                data[1] << 16 | data[2] << 8 | data[3]
                          : 61184;
  (void)dso::SubordinateRangeHolds(in, "dso", 998, id);
  return 0;
}
