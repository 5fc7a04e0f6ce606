// dpkg ordering (Debian Policy 5.6.12): [epoch:]upstream[-revision], the
// epoch compared as a number, upstream and revision each by alternating
// non-digit parts (letters before other characters, `~` before everything,
// even the end) and digit parts (by value).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

struct Dpkg {
  absl::string_view epoch = "0", upstream, revision;
};

absl::StatusOr<Dpkg> Parse(absl::string_view in) {
  absl::string_view s = absl::StripAsciiWhitespace(in);
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a dpkg version: ", why));
  };
  for (char c : s) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return bad("contains white space");
    }
  }
  Dpkg v;
  if (size_t colon = s.find(':'); colon != absl::string_view::npos) {
    v.epoch = s.substr(0, colon);
    if (v.epoch.empty()) return bad("empty epoch");
    for (char c : v.epoch) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return bad("the epoch is not a number");
      }
    }
    s.remove_prefix(colon + 1);
  }
  if (size_t dash = s.rfind('-'); dash != absl::string_view::npos) {
    v.revision = s.substr(dash + 1);
    s = s.substr(0, dash);
    if (v.revision.empty()) return bad("empty revision");
  }
  v.upstream = s;
  if (v.upstream.empty()) return bad("empty upstream version");
  return v;
}

int Order(int c) {
  if (c == 0) return 0;  // the end of the string
  if (absl::ascii_isdigit(static_cast<unsigned char>(c))) return 0;
  if (absl::ascii_isalpha(static_cast<unsigned char>(c))) return c;
  if (c == '~') return -1;
  return c + 256;
}

// dpkg's verrevcmp.
int Compare(absl::string_view a, absl::string_view b) {
  size_t i = 0, j = 0;
  auto at = [](absl::string_view s, size_t k) -> int {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0;
  };
  auto digit = [&](absl::string_view s, size_t k) {
    return absl::ascii_isdigit(static_cast<unsigned char>(at(s, k)));
  };
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !digit(a, i)) || (j < b.size() && !digit(b, j))) {
      int ac = Order(at(a, i)), bc = Order(at(b, j));
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    int first_diff = 0;
    while (digit(a, i) && digit(b, j)) {
      if (first_diff == 0) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (digit(a, i)) return 1;
    if (digit(b, j)) return -1;
    if (first_diff != 0) return first_diff < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace

absl::StatusOr<int> CompareDpkg(absl::string_view a, absl::string_view b) {
  auto va = Parse(a);
  if (!va.ok()) return va.status();
  auto vb = Parse(b);
  if (!vb.ok()) return vb.status();
  if (int c = CompareDigits(va->epoch, vb->epoch); c != 0) return c;
  if (int c = Compare(va->upstream, vb->upstream); c != 0) return c;
  return Compare(va->revision, vb->revision);
}

}  // namespace dso
