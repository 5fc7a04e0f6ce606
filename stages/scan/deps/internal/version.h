// Package version ordering per ecosystem, as each ecosystem's own tools
// order versions: SemVer 2.0 (npm, crates.io, Go with its `v` prefix),
// PEP 440 (PyPI), dpkg (Debian, Ubuntu), Maven's version order
// specification, RubyGems' Gem::Version, NuGet.Versioning, apk (Alpine,
// Wolfi) and PHP's version_compare as Composer uses it (Packagist). An
// ecosystem whose ordering is not implemented is an error, never a guess.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace dso {

enum class VersionScheme {
  kSemver,
  kPep440,
  kDpkg,
  kMaven,
  kRubyGems,
  kNuGet,
  kApk,
  kPackagist,
  kNumeric,  // CRAN, Hackage: integers separated by '.' (CRAN: or '-')
};

// The scheme of an OSV ecosystem name ("PyPI", "Go", "npm", "crates.io",
// "Debian:12", "Ubuntu:22.04:LTS", ...); NotFound for ecosystems dso cannot
// order.
absl::StatusOr<VersionScheme> SchemeForEcosystem(absl::string_view ecosystem);

// <0, 0 or >0 as a sorts before, with or after b. InvalidArgument naming the
// version when one is not a version of the scheme.
absl::StatusOr<int> CompareVersions(VersionScheme scheme, absl::string_view a,
                                    absl::string_view b);

// Per-scheme comparisons, one file each (version_<scheme>.cc).
absl::StatusOr<int> CompareSemver(absl::string_view a, absl::string_view b);
absl::StatusOr<int> ComparePep440(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareDpkg(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareMaven(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareRubyGems(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareNuGet(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareApk(absl::string_view a, absl::string_view b);
absl::StatusOr<int> ComparePackagist(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareNumeric(absl::string_view a, absl::string_view b);

// Helpers the schemes share. IsDigits: non-empty and only ASCII digits.
// CompareDigits: two digit strings of any length by value, -1, 0 or 1.
// Sign: -1, 0 or 1 as c is negative, zero or positive.
bool IsDigits(absl::string_view s);
int CompareDigits(absl::string_view a, absl::string_view b);
int Sign(int c);
// SemVer's pre-release precedence, shared with NuGet: an empty list (a
// release) after any pre-release; identifiers pairwise, numeric ones by
// value and before others, others as text (NuGet: ignoring case); a
// shorter list that is a prefix first.
int ComparePrerelease(absl::Span<const absl::string_view> a,
                      absl::Span<const absl::string_view> b, bool ignore_case);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_H_
