// Encoded text (base64, hex, percent) found and decoded in hostile input:
// segments lie in the input, in order of their starts, never empty.
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/internal/secret_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  size_t last = 0;
  for (const dso::EncodedSegment& s :
       dso::FindEncodedSegments(text, 0, text.size())) {
    if (s.start < last || s.end <= s.start || s.end > text.size() ||
        s.decoded.empty()) {
      __builtin_trap();
    }
    last = s.start;
  }
  return 0;
}
