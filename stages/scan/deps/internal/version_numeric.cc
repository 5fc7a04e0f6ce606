// CRAN and Hackage versions: sequences of non-negative integers, compared
// one by one as numbers, a shorter sequence that is a prefix first (R's
// package_version: "1.2-3" is 1.2.3, so '-' separates too; Haskell's PVP:
// 1.2 < 1.2.0 < 1.10).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {

absl::StatusOr<int> CompareNumeric(absl::string_view a, absl::string_view b) {
  std::vector<absl::string_view> pa = absl::StrSplit(a, absl::ByAnyChar(".-"));
  std::vector<absl::string_view> pb = absl::StrSplit(b, absl::ByAnyChar(".-"));
  for (const auto& [v, parts] : {std::pair{a, &pa}, std::pair{b, &pb}}) {
    for (absl::string_view p : *parts) {
      if (!IsDigits(p)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", v.substr(0, 80), "' is not a version of numbers"));
      }
    }
  }
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    if (int c = CompareDigits(pa[i], pb[i]); c != 0) return c;
  }
  return Sign(static_cast<int>(pa.size()) - static_cast<int>(pb.size()));
}

}  // namespace dso
