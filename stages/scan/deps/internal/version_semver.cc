// SemVer 2.0.0 precedence (semver.org §11), read leniently the way OSV's
// SEMVER ranges and the package managers write versions: a leading `v` or
// `=` is dropped, a missing minor or patch counts as 0, numbers may be of
// any length, and build metadata (`+incompatible` in Go) is ignored.
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

struct Semver {
  absl::string_view core[3] = {"0", "0", "0"};
  absl::InlinedVector<absl::string_view, 4> pre;  // empty: a release
};

absl::StatusOr<Semver> Parse(absl::string_view s) {
  absl::string_view in = s;
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V' || s[0] == '=')) {
    s.remove_prefix(1);
  }
  if (size_t plus = s.find('+'); plus != absl::string_view::npos) {
    s = s.substr(0, plus);
  }
  Semver v;
  absl::string_view core = s;
  if (size_t dash = s.find('-'); dash != absl::string_view::npos) {
    core = s.substr(0, dash);
    for (absl::string_view id : absl::StrSplit(s.substr(dash + 1), '.')) {
      for (char c : id) {
        if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
          return absl::InvalidArgumentError(absl::StrCat(
              "'", in, "' is not a SemVer version: bad pre-release"));
        }
      }
      if (id.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", in, "' is not a SemVer version: empty pre-release field"));
      }
      v.pre.push_back(id);
    }
  }
  absl::InlinedVector<absl::string_view, 4> parts = absl::StrSplit(core, '.');
  if (parts.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", in, "' is not a SemVer version: more than 3 parts"));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!IsDigits(parts[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", in, "' is not a SemVer version: '", parts[i],
                       "' is not a number"));
    }
    v.core[i] = parts[i];
  }
  return v;
}

}  // namespace

absl::StatusOr<int> CompareSemver(absl::string_view a, absl::string_view b) {
  auto va = Parse(a);
  if (!va.ok()) return va.status();
  auto vb = Parse(b);
  if (!vb.ok()) return vb.status();
  for (int i = 0; i < 3; ++i) {
    if (int c = CompareDigits(va->core[i], vb->core[i]); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  return ComparePrerelease(va->pre, vb->pre, /*ignore_case=*/false);
}

}  // namespace dso
