// Two versions of a file, split at the first NUL: the added runs must lie
// in the new text, in order, apart, and start at line starts.
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/internal/added_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  if (nul == absl::string_view::npos) return 0;
  absl::string_view old_text = in.substr(0, nul), new_text = in.substr(nul + 1);
  size_t last_end = 0;
  bool first = true;
  for (const dso::AddedRun& r : dso::AddedLines(old_text, new_text)) {
    if (r.begin >= r.end || r.end > new_text.size()) __builtin_trap();
    if (!first && r.begin <= last_end) __builtin_trap();
    if (r.begin > 0 && new_text[r.begin - 1] != '\n') __builtin_trap();
    size_t line = 1;
    for (size_t i = 0; i < r.begin; ++i) line += new_text[i] == '\n';
    if (line != r.first_line) __builtin_trap();
    last_end = r.end;
    first = false;
  }
  return 0;
}
