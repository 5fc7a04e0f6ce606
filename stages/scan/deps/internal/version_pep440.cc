// PEP 440 ordering (PyPI): epoch, release with trailing zeros ignored,
// then dev releases before pre-releases (a < b < rc) before the release
// before post-releases, and local versions after the public one. Accepts
// the spellings the specification normalises: case, `v` prefix, `alpha`,
// `beta`, `c`/`pre`/`preview`, `rev`/`r`, `-N` posts, `.`/`-`/`_`
// separators, and implicit zeros (`1.0a` is `1.0a0`).
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

struct Pep440 {
  absl::string_view epoch = "0";
  absl::InlinedVector<absl::string_view, 6> release;  // trailing 0s dropped
  int pre = -1;                                       // -1 none; 0 a, 1 b, 2 rc
  absl::string_view pre_n = "0";
  bool post = false;
  absl::string_view post_n = "0";
  bool dev = false;
  absl::string_view dev_n = "0";
  std::vector<std::string> local;  // lower case
};

class Reader {
 public:
  explicit Reader(absl::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  size_t pos() const { return i_; }
  void Reset(size_t pos) { i_ = pos; }
  absl::string_view Digits() {
    size_t start = i_;
    while (i_ < s_.size() && absl::ascii_isdigit(static_cast<uint8_t>(s_[i_])))
      ++i_;
    return s_.substr(start, i_ - start);
  }
  bool Separator() {
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == '-' || s_[i_] == '_')) {
      ++i_;
      return true;
    }
    return false;
  }
  // [sep]N after a pre, post or dev label; "0" when there is none.
  absl::string_view ImplicitNumber() {
    size_t before = i_;
    Separator();
    absl::string_view n = Digits();
    if (n.empty()) {
      i_ = before;
      return "0";
    }
    return n;
  }
  bool Char(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  // The longest of `words` (lower case) at the current position, or -1.
  int Word(std::initializer_list<absl::string_view> words) {
    int best = -1;
    size_t len = 0, k = 0;
    for (absl::string_view w : words) {
      if (w.size() > len && absl::StartsWithIgnoreCase(s_.substr(i_), w)) {
        best = static_cast<int>(k);
        len = w.size();
      }
      ++k;
    }
    i_ += len;
    return best;
  }

 private:
  absl::string_view s_;
  size_t i_ = 0;
};

absl::StatusOr<Pep440> Parse(absl::string_view in) {
  absl::string_view s = absl::StripAsciiWhitespace(in);
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a PEP 440 version: ", why));
  };
  Reader r(s);
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) r.Char(s[0]);
  Pep440 v;
  absl::string_view first = r.Digits();
  if (first.empty()) return bad("no release number");
  if (r.Char('!')) {
    v.epoch = first;
    first = r.Digits();
    if (first.empty()) return bad("no release number after the epoch");
  }
  v.release.push_back(first);
  for (size_t at = r.pos(); r.Char('.'); at = r.pos()) {
    absl::string_view n = r.Digits();
    if (n.empty()) {
      r.Reset(at);
      break;
    }
    v.release.push_back(n);
  }
  while (!v.release.empty() && CompareDigits(v.release.back(), "0") == 0) {
    v.release.pop_back();
  }
  // Pre-release.
  size_t at = r.pos();
  r.Separator();
  int pre = r.Word({"a", "b", "c", "rc", "alpha", "beta", "pre", "preview"});
  if (pre >= 0) {
    static constexpr int kKind[] = {0, 1, 2, 2, 0, 1, 2, 2};
    v.pre = kKind[pre];
    v.pre_n = r.ImplicitNumber();
  } else {
    r.Reset(at);
  }
  // Post-release: "-N", or [sep](post|rev|r)[sep][N].
  at = r.pos();
  if (r.Char('-') && !r.Digits().empty()) {
    v.post = true;
    r.Reset(at + 1);
    v.post_n = r.Digits();
  } else {
    r.Reset(at);
    r.Separator();
    if (r.Word({"post", "rev", "r"}) >= 0) {
      v.post = true;
      v.post_n = r.ImplicitNumber();
    } else {
      r.Reset(at);
    }
  }
  // Development release.
  at = r.pos();
  r.Separator();
  if (r.Word({"dev"}) >= 0) {
    v.dev = true;
    v.dev_n = r.ImplicitNumber();
  } else {
    r.Reset(at);
  }
  // Local version label.
  if (r.Char('+')) {
    std::string seg;
    absl::string_view rest = s.substr(r.pos());
    for (size_t k = 0; k <= rest.size(); ++k) {
      char c = k < rest.size() ? rest[k] : '.';
      if (c == '.' || c == '-' || c == '_') {
        if (seg.empty()) return bad("empty local version segment");
        v.local.push_back(std::move(seg));
        seg.clear();
      } else if (absl::ascii_isalnum(static_cast<uint8_t>(c))) {
        seg.push_back(absl::ascii_tolower(static_cast<uint8_t>(c)));
      } else {
        return bad("bad character in the local version");
      }
    }
    r.Reset(s.size());
  }
  if (!r.done())
    return bad(absl::StrCat("unexpected '", s.substr(r.pos()), "'"));
  return v;
}

// (rank, number): rank orders "missing" below or above any number.
int CompareRanked(int rank_a, absl::string_view a, int rank_b,
                  absl::string_view b) {
  if (rank_a != rank_b) return rank_a < rank_b ? -1 : 1;
  return rank_a == 1 ? CompareDigits(a, b) : 0;
}

}  // namespace

absl::StatusOr<int> ComparePep440(absl::string_view a, absl::string_view b) {
  auto pa = Parse(a);
  if (!pa.ok()) return pa.status();
  auto pb = Parse(b);
  if (!pb.ok()) return pb.status();
  const Pep440 &x = *pa, &y = *pb;
  if (int c = CompareDigits(x.epoch, y.epoch); c != 0) return c;
  for (size_t i = 0; i < x.release.size() || i < y.release.size(); ++i) {
    if (i >= x.release.size()) return -1;
    if (i >= y.release.size()) return 1;
    if (int c = CompareDigits(x.release[i], y.release[i]); c != 0) return c;
  }
  // Pre-release: a dev release of the final version sorts before any
  // pre-release; no pre-release sorts after all of them.
  auto pre_rank = [](const Pep440& v) {
    if (v.pre < 0) return !v.post && v.dev ? 0 : 4;
    return 1 + v.pre;  // a, b, rc
  };
  int ra = pre_rank(x), rb = pre_rank(y);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (x.pre >= 0) {
    if (int c = CompareDigits(x.pre_n, y.pre_n); c != 0) return c;
  }
  if (int c = CompareRanked(x.post ? 1 : 0, x.post_n, y.post ? 1 : 0, y.post_n);
      c != 0) {
    return c;
  }
  if (int c = CompareRanked(x.dev ? 1 : 2, x.dev_n, y.dev ? 1 : 2, y.dev_n);
      c != 0) {
    return c;
  }
  // Local labels: none first; numeric segments above alphanumeric ones.
  for (size_t i = 0; i < x.local.size() || i < y.local.size(); ++i) {
    if (i >= x.local.size()) return -1;
    if (i >= y.local.size()) return 1;
    bool nx = IsDigits(x.local[i]), ny = IsDigits(y.local[i]);
    int c = nx && ny ? CompareDigits(x.local[i], y.local[i])
            : nx     ? 1
            : ny     ? -1
                     : Sign(x.local[i].compare(y.local[i]));
    if (c != 0) return c;
  }
  return 0;
}

}  // namespace dso
