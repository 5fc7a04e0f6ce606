#include "dsoctl/terminal_text.h"

#include "absl/strings/str_format.h"

namespace dso {

std::string TerminalSafe(absl::string_view text, bool keep_final_newline) {
  bool final_newline =
      keep_final_newline && !text.empty() && text.back() == '\n';
  if (final_newline) text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() + (final_newline ? 1 : 0));
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    // U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        absl::StrAppendFormat(&out, "\\u%04x", next);
        ++i;
        continue;
      }
    }
    if (c == '\t' || (c >= 0x20 && c != 0x7F)) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == 0x1B) {
      out += "\\e";
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    }
  }
  if (final_newline) out.push_back('\n');
  return out;
}

}  // namespace dso
