// A delta applied to a base: the first byte's value is the base's length
// (taken from the rest of the input), the remainder is the delta.
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/internal/git_delta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  absl::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t base_size = std::min<size_t>(data[0], in.size());
  auto out = dso::ApplyGitDelta(in.substr(0, base_size), in.substr(base_size),
                                1 << 20);
  if (out.ok() && out->size() > (1 << 20)) __builtin_trap();
  return 0;
}
