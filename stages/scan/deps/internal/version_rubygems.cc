// RubyGems' Gem::Version ordering: a version is digits, then `.`-separated
// alphanumeric parts, then optionally `-` and a pre-release (`-` reads as
// `.pre.`). It splits into segments of digits (numbers) and letters
// (strings); trailing zero numbers are dropped both from the leading numeric
// part and from the part from the first string on. Segments compare
// pairwise, missing ones as 0: numbers by value, strings byte-wise, and a
// string sorts before a number (so 1.0.a < 1.0, a pre-release).
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

struct Segment {
  bool number;
  std::string value;  // digits, or letters
};

bool IsAlnum(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c));
}
bool IsDigit(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c));
}

// Gem::Version's pattern:
// [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
bool Valid(absl::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && IsAlnum(s[i])) ++i;
    if (i == start) return false;
  }
  if (i == s.size()) return true;
  if (s[i] != '-') return false;
  ++i;
  size_t start = i;
  for (; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (i == start || i + 1 == s.size()) return false;
      start = i + 1;
    } else if (!IsAlnum(s[i]) && s[i] != '-') {
      return false;
    }
  }
  return i > start;
}

void DropTrailingZeros(std::vector<Segment>* segs) {
  while (!segs->empty() && segs->back().number && segs->back().value == "0") {
    segs->pop_back();
  }
}

absl::StatusOr<std::vector<Segment>> Parse(absl::string_view in) {
  absl::string_view s = absl::StripAsciiWhitespace(in);
  if (s.empty()) s = "0";
  if (!Valid(s)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a RubyGems version"));
  }
  std::string text = absl::StrReplaceAll(s, {{"-", ".pre."}});
  std::vector<Segment> segs;
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    if (IsDigit(text[i])) {
      while (i < text.size() && IsDigit(text[i])) ++i;
      size_t nz = text.find_first_not_of('0', start);
      segs.push_back({true, nz >= i ? "0" : text.substr(nz, i - nz)});
    } else if (absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) {
      while (i < text.size() &&
             absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) {
        ++i;
      }
      segs.push_back({false, text.substr(start, i - start)});
    } else {
      ++i;  // a separator
    }
  }
  // Canonical segments: trailing zeros go from the numeric part and from
  // the part that starts at the first string.
  size_t first_string = 0;
  while (first_string < segs.size() && segs[first_string].number) {
    ++first_string;
  }
  std::vector<Segment> tail(segs.begin() + first_string, segs.end());
  segs.resize(first_string);
  DropTrailingZeros(&segs);
  DropTrailingZeros(&tail);
  segs.insert(segs.end(), tail.begin(), tail.end());
  return segs;
}

}  // namespace

absl::StatusOr<int> CompareRubyGems(absl::string_view a, absl::string_view b) {
  auto x = Parse(a);
  if (!x.ok()) return x.status();
  auto y = Parse(b);
  if (!y.ok()) return y.status();
  static const Segment kZero = {true, "0"};
  for (size_t i = 0; i < x->size() || i < y->size(); ++i) {
    const Segment& l = i < x->size() ? (*x)[i] : kZero;
    const Segment& r = i < y->size() ? (*y)[i] : kZero;
    if (l.number != r.number) return l.number ? 1 : -1;
    int c =
        l.number ? CompareDigits(l.value, r.value) : l.value.compare(r.value);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace dso
