// Line arithmetic on scanned text, shared by the matcher, the worker and the
// decoded rescans.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_TEXT_LINES_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_TEXT_LINES_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace dso {

// Newlines in `text`.
uint32_t CountLines(absl::string_view text);

// Offset of the first byte of the line holding text[pos].
size_t LineStart(absl::string_view text, size_t pos);

// Offset of the '\n' ending the line holding text[pos], or text.size().
size_t LineEnd(absl::string_view text, size_t pos);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_TEXT_LINES_H_
