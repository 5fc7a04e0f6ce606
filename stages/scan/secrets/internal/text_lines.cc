#include "stages/scan/secrets/internal/text_lines.h"

#include <cstring>

namespace dso {

// Newlines in `text`, eight bytes at a time: a byte of v ^ 0x0a.. is zero
// exactly where v holds '\n', and the bit trick marks each zero byte's top
// bit without carries between bytes.
uint32_t CountLines(absl::string_view text) {
  constexpr uint64_t kNewlines = 0x0a0a0a0a0a0a0a0aULL;
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  const char* p = text.data();
  const char* end = p + text.size();
  uint64_t count = 0;
  for (; end - p >= 8; p += 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    v ^= kNewlines;
    uint64_t zero = ~(((v & kLow7) + kLow7) | v | kLow7);
    // One bit per newline at each byte's bottom; the multiply sums them
    // into the top byte (no popcount instruction needed).
    count += (((zero >> 7) * 0x0101010101010101ULL) >> 56);
  }
  for (; p < end; ++p) count += *p == '\n';
  return static_cast<uint32_t>(count);
}

size_t LineStart(absl::string_view text, size_t pos) {
  size_t nl = pos == 0 ? absl::string_view::npos : text.rfind('\n', pos - 1);
  return nl == absl::string_view::npos ? 0 : nl + 1;
}

size_t LineEnd(absl::string_view text, size_t pos) {
  size_t nl = text.find('\n', pos);
  return nl == absl::string_view::npos ? text.size() : nl;
}

}  // namespace dso
