#include "stages/core/toml_guard.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dso {
namespace {

// The characters toml++ 3.3's is_non_ascii_horizontal_whitespace() has no
// answer for (its lookup falls through to an unreachable default).
bool Mishandled(uint32_t c) {
  return (c >= 0xA1 && c <= 0x499) || (c >= 0x2C5E && c <= 0x2FFF) ||
         (c >= 0x3001 && c <= 0x3057) || (c >= 0xFB26 && c <= 0xFEFE);
}

// The code point of the 2- or 3-byte UTF-8 sequence at text[i] and its
// length; 0 and 1 for anything else (ASCII, 4-byte sequences, malformed
// bytes: none of them is mishandled).
uint32_t CodePointAt(absl::string_view text, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  *len = 1;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  uint32_t cp = c & (n == 2 ? 0x1F : 0x0F);
  for (size_t k = 1; k < n; ++k) {
    unsigned char b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  *len = n;
  return cp;
}

class Rewriter {
 public:
  Rewriter(absl::string_view text, absl::string_view source)
      : t_(text), source_(source) {}

  absl::StatusOr<std::string> Run() {
    out_.reserve(t_.size());
    while (i_ < t_.size()) {
      char c = t_[i_];
      absl::Status s;
      if (c == '#') {
        s = Span(Region::kComment, 1, "\n");
      } else if (c == '"') {
        s = t_.substr(i_, 3) == "\"\"\"" ? Span(Region::kBasic, 3, "\"\"\"")
                                         : Span(Region::kBasic, 1, "\"");
      } else if (c == '\'') {
        s = t_.substr(i_, 3) == "'''" ? Span(Region::kLiteral, 3, "'''")
                                      : Span(Region::kLiteral, 1, "'");
      } else {
        s = Copy(Region::kBare);
      }
      if (!s.ok()) return s;
    }
    return std::move(out_);
  }

 private:
  enum class Region { kBare, kComment, kBasic, kLiteral };

  // Copies one character (or escape) of `region` at i_.
  absl::Status Copy(Region region) {
    if (t_[i_] == '\n') ++line_;
    if (region == Region::kBasic && t_[i_] == '\\' && i_ + 1 < t_.size() &&
        !(t_[i_ + 1] & 0x80)) {
      // An escape (\" does not end the string).
      absl::StrAppend(&out_, t_.substr(i_, 2));
      if (t_[i_ + 1] == '\n') ++line_;
      i_ += 2;
      return absl::OkStatus();
    }
    size_t len;
    uint32_t cp = CodePointAt(t_, i_, &len);
    if (Mishandled(cp)) {
      switch (region) {
        case Region::kBasic:
          absl::StrAppendFormat(&out_, "\\u%04X", cp);
          break;
        case Region::kComment:
          out_.push_back('?');
          break;
        case Region::kBare:
        case Region::kLiteral:
          return absl::InvalidArgumentError(absl::StrFormat(
              "%s:%d: the character U+%04X %s cannot be parsed safely (a TOML "
              "parser defect; write it as \\u%04X in a double-quoted string)",
              source_, line_, cp,
              region == Region::kBare ? "outside a string"
                                      : "in a literal string",
              cp));
      }
    } else {
      absl::StrAppend(&out_, t_.substr(i_, len));
    }
    i_ += len;
    return absl::OkStatus();
  }

  // A comment or string: its opening `open` bytes, then characters up to and
  // including `close` (or the end of the text; a single-line string also
  // ends at a newline, which toml++ then reports).
  absl::Status Span(Region region, size_t open, absl::string_view close) {
    absl::StrAppend(&out_, t_.substr(i_, open));
    i_ += open;
    const bool one_line = region == Region::kComment || open == 1;
    while (i_ < t_.size()) {
      if (t_.substr(i_, close.size()) == close && region != Region::kComment) {
        absl::StrAppend(&out_, close);
        i_ += close.size();
        return absl::OkStatus();
      }
      if (one_line && t_[i_] == '\n') return absl::OkStatus();
      if (auto s = Copy(region); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::string_view t_;
  absl::string_view source_;
  size_t i_ = 0;
  int line_ = 1;
  std::string out_;
};

// Whether any character of `text` is one toml++ mishandles (most files
// hold none: they are passed on as they are, without the rewrite's walk).
bool AnyMishandled(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (!(text[i] & 0x80)) {
      ++i;
      continue;
    }
    size_t len;
    if (Mishandled(CodePointAt(text, i, &len))) return true;
    i += len;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> TomlForParser(absl::string_view text,
                                          absl::string_view source) {
  if (!AnyMishandled(text)) return std::string(text);
  return Rewriter(text, source).Run();
}

}  // namespace dso
