// Maven's version order specification (POM reference, "Version Order
// Specification"), as ComparableVersion implements it: the version is split
// into tokens at `.`, `-` and at each change between digits and other
// characters (such a change counts as `-`); empty tokens are 0; trailing
// null tokens (0, "", "final", "ga", "release") are dropped from the end and
// again before each remaining `-`. Numbers compare by value; qualifiers as
// alpha < beta < milestone < rc = cr < snapshot < "" = final = ga < sp,
// unknown qualifiers after those, lexically; case does not matter. Tokens with
// different separators order as -qualifier < -number < .number (a qualifier
// after `.` counts as after `-`, as in Maven 3.9).
// The shorter version is padded with nulls that compare as 0 against a
// number and as "" against a qualifier.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

struct Token {
  char sep;  // '.' or '-' (the first token counts as '.')
  bool number;
  std::string value;  // digits without leading zeros, or a qualifier
  bool IsNull() const { return number ? value == "0" : value.empty(); }
};

// Known qualifiers' ranks; unknown qualifiers rank after all of them.
int QualifierRank(const std::string& q) {
  static const char* const kOrder[] = {"alpha",    "beta", "milestone", "rc",
                                       "snapshot", "",     "sp"};
  for (int i = 0; i < 7; ++i) {
    if (q == kOrder[i]) return i;
  }
  return 7;
}

int CompareQualifiers(const std::string& a, const std::string& b) {
  int ra = QualifierRank(a), rb = QualifierRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra < 7) return 0;
  return Sign(a.compare(b));
}

void AddToken(char sep, std::string piece, bool followed_by_digit,
              std::vector<Token>* out) {
  if (piece.empty() || IsDigits(piece)) {
    size_t nz = piece.find_first_not_of('0');
    out->push_back(
        {sep, true, nz == std::string::npos ? "0" : piece.substr(nz)});
    return;
  }
  if (piece == "cr") {
    piece = "rc";
  } else if (piece == "ga" || piece == "final" || piece == "release") {
    piece.clear();
  } else if (followed_by_digit && piece.size() == 1) {
    if (piece == "a") piece = "alpha";
    if (piece == "b") piece = "beta";
    if (piece == "m") piece = "milestone";
  }
  // A qualifier after '.' reads as one after '-' (Maven 3.9, MNG-7644).
  out->push_back({'-', false, std::move(piece)});
}

std::vector<Token> Parse(absl::string_view in) {
  std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(in));
  std::vector<Token> tokens;
  char sep = '.';
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    bool end = i == s.size();
    if (end || s[i] == '.' || s[i] == '-') {
      AddToken(sep, s.substr(start, i - start), false, &tokens);
      if (!end) sep = s[i];
      start = i + 1;
      continue;
    }
    bool digit = absl::ascii_isdigit(static_cast<unsigned char>(s[i]));
    if (i > start &&
        digit != absl::ascii_isdigit(static_cast<unsigned char>(s[i - 1]))) {
      AddToken(sep, s.substr(start, i - start), digit, &tokens);
      sep = '-';
      start = i;
    }
  }
  // Drop trailing nulls at the end and before each remaining '-'.
  for (size_t i = tokens.size(); i-- > 1;) {
    if (tokens[i].IsNull()) {
      tokens.erase(tokens.begin() + i);
      continue;
    }
    while (i > 0 && tokens[i].sep != '-') --i;
  }
  return tokens;
}

// Separator-and-kind order: -qualifier < -number < .number.
int KindRank(const Token& t) {
  if (!t.number) return 0;
  return t.sep == '-' ? 1 : 2;
}

int CompareTokens(const Token& a, const Token& b) {
  if (a.sep != b.sep) {
    int ra = KindRank(a), rb = KindRank(b);
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  }
  if (a.number && b.number) return CompareDigits(a.value, b.value);
  if (a.number != b.number) return a.number ? 1 : -1;
  return CompareQualifiers(a.value, b.value);
}

// A padding null against a real token.
int CompareNullWith(const Token& t) {
  return t.number ? CompareDigits("0", t.value)
                  : CompareQualifiers("", t.value);
}

}  // namespace

absl::StatusOr<int> CompareMaven(absl::string_view a, absl::string_view b) {
  for (absl::string_view v : {a, b}) {
    if (absl::StripAsciiWhitespace(v).empty()) {
      return absl::InvalidArgumentError("'' is not a Maven version: empty");
    }
    for (char c : v) {
      if (static_cast<unsigned char>(c) < 0x20) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", absl::CEscape(v),
            "' is not a Maven version: contains a control character"));
      }
    }
  }
  std::vector<Token> x = Parse(a), y = Parse(b);
  for (size_t i = 0; i < x.size() || i < y.size(); ++i) {
    int c = i >= x.size()   ? CompareNullWith(y[i])
            : i >= y.size() ? -CompareNullWith(x[i])
                            : CompareTokens(x[i], y[i]);
    if (c != 0) return c;
  }
  return 0;
}

}  // namespace dso
