// apk's version order (apk-tools; apk-package(5)): number{.number}...
// {letter{number{.number}...}}...{_suffix{number}}...{~hash}{-r#}. The version
// is read as a stream of tokens compared in order: the first number by value,
// later numbers by value unless one has a leading zero (then as strings,
// so 1.01 < 1.1), the letter, suffixes (alpha < beta < pre < rc < none < cvs <
// svn < git < hg < p) with their numbers, and the -r revision. Where one
// version has a token the other lacks, a pre-release suffix sorts first;
// otherwise the version with more of the earlier-kind tokens is the newer (1.0
// < 1.0.1, 1.0a < 1.0.1, 1.0 < 1.0-r1). Commit hashes take no part in the
// order.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

// Token kinds in apk's order; a later kind is "less version" when the other
// side has an earlier kind at the same place.
enum Kind { kDigit = 1, kLetter, kSuffix, kSuffixNumber, kRevision, kEnd };

struct Token {
  Kind kind;
  std::string digits;  // kDigit, kSuffixNumber, kRevision
  int rank = 0;        // kLetter: the letter; kSuffix: <0 pre, >0 post
  bool first = false;  // the first number of the version
};

int SuffixRank(absl::string_view s) {
  static const char* const kPre[] = {"alpha", "beta", "pre", "rc"};
  static const char* const kPost[] = {"cvs", "svn", "git", "hg", "p"};
  for (int i = 0; i < 4; ++i) {
    if (s == kPre[i]) return i - 4;
  }
  for (int i = 0; i < 5; ++i) {
    if (s == kPost[i]) return i + 1;
  }
  return 0;
}

class Reader {
 public:
  explicit Reader(absl::string_view s) : s_(s) {}

  absl::StatusOr<std::vector<Token>> Tokens() && {
    if (!Digit()) return Bad("does not start with a number");
    // As apk-tools reads them, a number may follow a letter: 1.9.5p2.
    for (bool first = true;;) {
      for (;; first = false) {
        out_.push_back({kDigit, std::string(Run(&Reader::Digit)), 0, first});
        if (!Take('.')) break;
        if (!Digit()) return Bad("a '.' is not followed by a number");
      }
      if (!Lower()) break;
      out_.push_back({kLetter, "", s_[i_++]});
      if (!Digit()) break;
    }
    while (Take('_')) {
      int rank = SuffixRank(Run(&Reader::Lower));
      if (rank == 0) return Bad("unknown '_' suffix");
      out_.push_back({kSuffix, "", rank});
      if (Digit()) {
        out_.push_back({kSuffixNumber, std::string(Run(&Reader::Digit))});
      }
    }
    if (Take('~') && Run(&Reader::Hex).empty()) {
      return Bad("'~' is not followed by a commit hash");
    }
    if (Take('-')) {
      if (!Take('r') || !Digit())
        return Bad("'-' is not followed by r<number>");
      out_.push_back({kRevision, std::string(Run(&Reader::Digit))});
    }
    if (i_ != s_.size()) return Bad("unexpected characters");
    return std::move(out_);
  }

 private:
  char At() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool Digit() const {
    return absl::ascii_isdigit(static_cast<unsigned char>(At()));
  }
  bool Lower() const { return At() >= 'a' && At() <= 'z'; }
  bool Hex() const { return Digit() || (At() >= 'a' && At() <= 'f'); }
  bool Take(char c) {
    if (At() != c) return false;
    ++i_;
    return true;
  }
  absl::string_view Run(bool (Reader::*pred)() const) {
    size_t start = i_;
    while (i_ < s_.size() && (this->*pred)()) ++i_;
    return s_.substr(start, i_ - start);
  }
  absl::Status Bad(absl::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("'", s_, "' is not an apk version: ", why));
  }

  absl::string_view s_;
  size_t i_ = 0;
  std::vector<Token> out_;
};

int CompareSame(const Token& a, const Token& b) {
  switch (a.kind) {
    case kDigit:
      if (!a.first && (a.digits[0] == '0' || b.digits[0] == '0')) {
        return Sign(a.digits.compare(b.digits));
      }
      return CompareDigits(a.digits, b.digits);
    case kSuffixNumber:
    case kRevision:
      return CompareDigits(a.digits, b.digits);
    default:
      return a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0;
  }
}

}  // namespace

absl::StatusOr<int> CompareApk(absl::string_view a, absl::string_view b) {
  auto x = Reader(absl::StripAsciiWhitespace(a)).Tokens();
  if (!x.ok()) return x.status();
  auto y = Reader(absl::StripAsciiWhitespace(b)).Tokens();
  if (!y.ok()) return y.status();
  static const Token kEndToken = {kEnd, "", 0, false};
  for (size_t i = 0;; ++i) {
    const Token& l = i < x->size() ? (*x)[i] : kEndToken;
    const Token& r = i < y->size() ? (*y)[i] : kEndToken;
    if (l.kind == kEnd && r.kind == kEnd) return 0;
    if (l.kind == r.kind) {
      if (int c = CompareSame(l, r); c != 0) return c;
      continue;
    }
    if (l.kind == kSuffix && l.rank < 0) return -1;
    if (r.kind == kSuffix && r.rank < 0) return 1;
    return l.kind > r.kind ? -1 : 1;
  }
}

}  // namespace dso
