#include "stages/core/url_password.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace dso {
namespace {

// Calls `on_password(begin, end)` for each password span in `text`.
template <typename F>
void ForEachPassword(absl::string_view text, F on_password) {
  size_t from = 0;
  while (true) {
    size_t sep = text.find("://", from);
    if (sep == absl::string_view::npos) return;
    size_t start = sep + 3;
    size_t end = start;
    while (end < text.size() && text[end] != '/' && text[end] != '?' &&
           text[end] != '#' && !absl::ascii_isspace(text[end]) &&
           text[end] != '"' && text[end] != '\'') {
      ++end;
    }
    absl::string_view authority = text.substr(start, end - start);
    size_t at = authority.rfind('@');
    if (at != absl::string_view::npos) {
      size_t colon = authority.substr(0, at).find(':');
      if (colon != absl::string_view::npos) {
        on_password(start + colon + 1, start + at);
      }
    }
    from = end > start ? end : start;
  }
}

}  // namespace

bool HasUrlPassword(absl::string_view text) {
  bool found = false;
  ForEachPassword(text, [&](size_t, size_t) { found = true; });
  return found;
}

std::string RedactUrlPasswords(absl::string_view text) {
  std::string out;
  size_t copied = 0;
  ForEachPassword(text, [&](size_t begin, size_t end) {
    absl::StrAppend(&out, text.substr(copied, begin - copied), "***");
    copied = end;
  });
  absl::StrAppend(&out, text.substr(copied));
  return out;
}

}  // namespace dso
