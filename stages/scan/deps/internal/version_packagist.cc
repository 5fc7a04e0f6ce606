// Packagist (Composer) versions, ordered by PHP's version_compare after
// dropping a leading `v`, as Composer does: `-`, `_` and `+` become `.`, a
// `.` goes between digits and letters, and the parts compare pairwise:
// numbers by value; words by their special form, matched as a prefix:
// unknown < dev < alpha = a < beta = b < RC = rc < (a number) < pl = p. When
// one version runs out, a remaining number makes the longer one newer and a
// remaining word is weighed against a number (so 1.0rc1 < 1.0 < 1.0pl1).
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

bool IsDigit(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c));
}

// PHP's canonical form (php_canonicalize_version): `-`, `_`, `+` and other
// non-alphanumerics become a single `.`, and a `.` marks each boundary
// between a digit and a non-digit; the first character is kept as it is.
std::string Canonical(absl::string_view v) {
  auto digit = [](char c) { return IsDigit(c); };
  auto non_digit = [](char c) { return !IsDigit(c) && c != '.'; };
  std::string out(1, v[0]);
  auto dot = [&out] {
    if (out.back() != '.') out.push_back('.');
  };
  for (size_t i = 1; i < v.size(); ++i) {
    char c = v[i], prev = v[i - 1];
    if (c == '-' || c == '_' || c == '+') {
      dot();
    } else if ((non_digit(prev) && digit(c)) || (digit(prev) && non_digit(c))) {
      dot();
      out.push_back(c);
    } else if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      dot();
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The order of a word; "#" stands for a number.
int SpecialForm(absl::string_view word) {
  static const std::pair<const char*, int> kForms[] = {
      {"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
      {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5}};
  for (const auto& [name, order] : kForms) {
    if (absl::StartsWith(word, name)) return order;
  }
  return -1;
}

int ComparePart(absl::string_view a, absl::string_view b) {
  bool na = !a.empty() && IsDigit(a[0]), nb = !b.empty() && IsDigit(b[0]);
  if (na && nb) return CompareDigits(a, b);
  return Sign(SpecialForm(na ? "#" : a) - SpecialForm(nb ? "#" : b));
}

int CompareParts(absl::Span<const absl::string_view> a,
                 absl::Span<const absl::string_view> b) {
  static const absl::string_view kNumber[] = {"#"};
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = ComparePart(a[i], b[i]); c != 0) return c;
  }
  if (a.size() > n) {
    if (!a[n].empty() && IsDigit(a[n][0])) return 1;
    return CompareParts(a.subspan(n), kNumber);
  }
  if (b.size() > n) {
    if (!b[n].empty() && IsDigit(b[n][0])) return -1;
    return CompareParts(kNumber, b.subspan(n));
  }
  return 0;
}

absl::StatusOr<std::string> Prepare(absl::string_view in) {
  absl::string_view s = absl::StripAsciiWhitespace(in);
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
  if (s.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a Packagist version: empty"));
  }
  return Canonical(s);
}

}  // namespace

absl::StatusOr<int> ComparePackagist(absl::string_view a, absl::string_view b) {
  auto x = Prepare(a);
  if (!x.ok()) return x.status();
  auto y = Prepare(b);
  if (!y.ok()) return y.status();
  std::vector<absl::string_view> pa = absl::StrSplit(*x, '.');
  std::vector<absl::string_view> pb = absl::StrSplit(*y, '.');
  return CompareParts(pa, pb);
}

}  // namespace dso
