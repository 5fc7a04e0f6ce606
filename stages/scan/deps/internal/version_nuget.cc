// NuGet.Versioning's order: Major.Minor.Patch[.Revision] (missing parts are
// 0), then a release after any pre-release; pre-release labels (`.`
// separated) compare pairwise: numeric labels by value and before
// alphanumeric ones, alphanumeric labels case-insensitively; a shorter
// label list that is a prefix sorts first. Build metadata (`+...`) is
// ignored.
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

struct NuGetVersion {
  absl::string_view parts[4] = {"0", "0", "0", "0"};
  std::vector<absl::string_view> labels;  // empty: a release
};

absl::StatusOr<NuGetVersion> Parse(absl::string_view in) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a NuGet version: ", why));
  };
  absl::string_view s = absl::StripAsciiWhitespace(in);
  s = s.substr(0, s.find('+'));
  NuGetVersion v;
  absl::string_view core = s;
  if (size_t dash = s.find('-'); dash != absl::string_view::npos) {
    core = s.substr(0, dash);
    for (absl::string_view label : absl::StrSplit(s.substr(dash + 1), '.')) {
      if (label.empty()) return bad("empty pre-release label");
      for (char c : label) {
        if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
          return bad("bad character in a pre-release label");
        }
      }
      v.labels.push_back(label);
    }
  }
  std::vector<absl::string_view> parts = absl::StrSplit(core, '.');
  if (parts.size() > 4) return bad("more than 4 numbers");
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!IsDigits(parts[i])) return bad("a part is not a number");
    v.parts[i] = parts[i];
  }
  return v;
}

}  // namespace

absl::StatusOr<int> CompareNuGet(absl::string_view a, absl::string_view b) {
  auto x = Parse(a);
  if (!x.ok()) return x.status();
  auto y = Parse(b);
  if (!y.ok()) return y.status();
  for (int i = 0; i < 4; ++i) {
    if (int c = CompareDigits(x->parts[i], y->parts[i]); c != 0) return c;
  }
  return ComparePrerelease(x->labels, y->labels, /*ignore_case=*/true);
}

}  // namespace dso
