#include "stages/core/toml_guard.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace dso {
namespace {

// The characters toml++ 3.3's is_non_ascii_horizontal_whitespace() has no
// answer for (its lookup falls through to an unreachable default).
bool Mishandled(uint32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2C5E && c <= 0x2FFF) ||
         (c >= 0x3001 && c <= 0x3057) || (c >= 0xFB26 && c <= 0xFEFE);
}

// The code point of the UTF-8 sequence at text[i] (0 when malformed, which
// toml++'s reader refuses before classifying anything), and its length.
uint32_t CodePointAt(absl::string_view text, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  *len = 1;
  int n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  uint32_t cp = c & (n == 2 ? 0x1F : 0x0F);
  for (int k = 1; k < n; ++k) {
    unsigned char b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  *len = n;
  return cp;
}

class Scanner {
 public:
  Scanner(absl::string_view text, absl::string_view source)
      : t_(text), source_(source) {}

  absl::Status Run() {
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
        line_start_ = true;
        header_ = false;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
        continue;
      }
      if (c == '[' && line_start_ && depth_ == 0) header_ = true;
      line_start_ = false;
      if (c == '#') {
        while (i_ < t_.size() && t_[i_] != '\n') ++i_;
      } else if (c == '"' || c == '\'') {
        if (auto s = String(c); !s.ok()) return s;
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        size_t len;
        uint32_t cp = CodePointAt(t_, i_, &len);
        if (Mishandled(cp)) return Refuse(cp, "outside a string");
        i_ += len;
      } else {
        if (!header_) {
          if (c == '[' || c == '{') ++depth_;
          if ((c == ']' || c == '}') && depth_ > 0) --depth_;
        }
        ++i_;
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Refuse(uint32_t cp, absl::string_view where) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s:%d: the character U+%04X %s cannot be parsed safely (a TOML "
        "parser defect; write it as \\u%04X in a double-quoted string)",
        source_, line_, cp, where, cp));
  }

  // A string starting at i_ with `quote`; a key when what follows it is
  // '=' or '.', or ']' in a table header.
  absl::Status String(char quote) {
    const int first_line = line_;
    bool multi = t_.substr(i_, 3) == std::string(3, quote);
    size_t begin = i_ += multi ? 3 : 1;
    size_t end = begin;
    while (i_ < t_.size()) {
      if (t_[i_] == '\\' && quote == '"') {
        i_ += 2;
        continue;
      }
      if (t_[i_] == '\n') {
        if (!multi) break;  // unterminated: toml++ says so
        ++line_;
      }
      if (t_[i_] == quote &&
          (!multi || t_.substr(i_, 3) == std::string(3, quote))) {
        end = i_;
        i_ += multi ? 3 : 1;
        break;
      }
      end = ++i_;
    }
    if (multi) return absl::OkStatus();  // never a key
    size_t j = i_;
    while (j < t_.size() && (t_[j] == ' ' || t_[j] == '\t')) ++j;
    bool key = j < t_.size() &&
               (t_[j] == '=' || t_[j] == '.' || (header_ && t_[j] == ']'));
    if (!key) return absl::OkStatus();
    for (size_t k = begin; k < end && k < t_.size();) {
      size_t len = 1;
      uint32_t cp = 0;
      if (static_cast<unsigned char>(t_[k]) >= 0x80) {
        cp = CodePointAt(t_, k, &len);
      }
      if (Mishandled(cp)) {
        line_ = first_line;
        return Refuse(cp, "in a key");
      }
      k += len;
    }
    return absl::OkStatus();
  }

  absl::string_view t_;
  absl::string_view source_;
  size_t i_ = 0;
  int line_ = 1;
  bool line_start_ = true;
  bool header_ = false;  // on a [table] or [[array]] header line
  int depth_ = 0;        // arrays and inline tables open in a value
};

}  // namespace

absl::Status CheckTomlParserHazards(absl::string_view text,
                                    absl::string_view source) {
  return Scanner(text, source).Run();
}

}  // namespace dso
