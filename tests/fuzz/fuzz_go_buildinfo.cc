// The build information of a Go binary found in an image, hostile bytes.
#include <cstddef>
#include <cstdint>

#include "stages/scan/deps/internal/cvss.h"
#include "stages/scan/deps/go_buildinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  dso::Inventory out;
  (void)dso::ParseGoBuildInfo(in, "fuzzed", &out);
  (void)dso::CvssV3BaseScore(in);
  return 0;
}
