// Packagist (Composer) versions, ordered by PHP's version_compare (as PHP
// 8 implements it) after dropping a leading `v`, as OSV does: `-`, `_`,
// `+` and other non-alphanumerics become `.` (once), a `.` goes between
// digits and letters, and the parts compare pairwise: numbers by value;
// words by their special form, matched as a prefix: unknown < dev < alpha
// = a < beta = b < RC = rc < # = (a number) < pl = p. The pairwise walk
// stops at an empty part or when either version has no more; then a
// remaining number makes the longer one newer and a remaining word is
// weighed against a number (so 1.0rc1 < 1.0 < 1.0pl1, and 1.0. < 1.0).
// On such forms the order is not even antisymmetric (PHP says both
// 1.0-dev < 1.0.# and 1.0.# < 1.0-dev, 1.0.# being 1.0. canonically);
// PHP's answers are kept.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// A part of digits as C's strtol reads it: by value, clamped to the
// largest long.
int CompareNumbers(absl::string_view a, absl::string_view b) {
  constexpr absl::string_view kMax = "9223372036854775807";
  auto clamp = [&](absl::string_view d) {
    d.remove_prefix(std::min(d.find_first_not_of('0'), d.size()));
    return d.size() > kMax.size() || (d.size() == kMax.size() && d > kMax)
               ? kMax
               : d;
  };
  return CompareDigits(clamp(a), clamp(b));
}

// PHP's php_version_compare on two canonical forms: dot-separated parts
// compared pairwise until one version has an empty part or no more; then
// the rest of the longer one decides: a number makes it newer, a word is
// weighed against a number ("#N#", the rank of "#").
int CompareCanonical(absl::string_view v1, absl::string_view v2) {
  if (v1.empty() || v2.empty()) {
    return v1.empty() == v2.empty() ? 0 : v1.empty() ? -1 : 1;
  }
  constexpr absl::string_view kNumber = "#N#";
  size_t p1 = 0, p2 = 0;
  bool more1 = true, more2 = true;  // a '.' followed the last part read
  int compare = 0;
  while (p1 < v1.size() && p2 < v2.size() && more1 && more2) {
    size_t n1 = v1.find('.', p1), n2 = v2.find('.', p2);
    more1 = n1 != absl::string_view::npos;
    more2 = n2 != absl::string_view::npos;
    absl::string_view a = v1.substr(p1, more1 ? n1 - p1 : v1.npos);
    absl::string_view b = v2.substr(p2, more2 ? n2 - p2 : v2.npos);
    const bool da = IsDigit(a[0]), db = IsDigit(b[0]);
    if (da && db) {
      compare = CompareNumbers(a, b);
    } else {
      compare =
          Sign(SpecialForm(da ? kNumber : a) - SpecialForm(db ? kNumber : b));
    }
    if (compare != 0) break;
    if (more1) p1 = n1 + 1;
    if (more2) p2 = n2 + 1;
  }
  if (compare == 0) {
    if (more1) {
      compare = p1 < v1.size() && IsDigit(v1[p1])
                    ? 1
                    : CompareCanonical(v1.substr(p1), kNumber);
    } else if (more2) {
      compare = p2 < v2.size() && IsDigit(v2[p2])
                    ? -1
                    : CompareCanonical(kNumber, v2.substr(p2));
    }
  }
  return compare;
}

absl::StatusOr<std::string> Prepare(absl::string_view in) {
  absl::string_view s = absl::StripAsciiWhitespace(in);
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
  if (s.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a Packagist version: empty"));
  }
  // PHP leaves a version that starts with '#' as it is.
  return s[0] == '#' ? std::string(s) : Canonical(s);
}

}  // namespace

absl::StatusOr<int> ComparePackagist(absl::string_view a, absl::string_view b) {
  auto x = Prepare(a);
  if (!x.ok()) return x.status();
  auto y = Prepare(b);
  if (!y.ok()) return y.status();
  return CompareCanonical(*x, *y);
}

}  // namespace dso
