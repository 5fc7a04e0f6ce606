// Package version ordering per ecosystem, as each ecosystem's own tools
// order versions: SemVer 2.0 (npm, crates.io, Go with its `v` prefix),
// PEP 440 (PyPI), dpkg (Debian, Ubuntu). An ecosystem whose ordering is not
// implemented is an error, never a guess.
#ifndef DSO_STAGES_SCAN_DEPS_VERSION_H_
#define DSO_STAGES_SCAN_DEPS_VERSION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

enum class VersionScheme { kSemver, kPep440, kDpkg };

// The scheme of an OSV ecosystem name ("PyPI", "Go", "npm", "crates.io",
// "Debian:12", "Ubuntu:22.04:LTS", ...); NotFound for ecosystems dso cannot
// order.
absl::StatusOr<VersionScheme> SchemeForEcosystem(absl::string_view ecosystem);

// <0, 0 or >0 as a sorts before, with or after b. InvalidArgument naming the
// version when one is not a version of the scheme.
absl::StatusOr<int> CompareVersions(VersionScheme scheme, absl::string_view a,
                                    absl::string_view b);

// Per-scheme comparisons (version_semver.cc, version_pep440.cc,
// version_dpkg.cc).
absl::StatusOr<int> CompareSemver(absl::string_view a, absl::string_view b);
absl::StatusOr<int> ComparePep440(absl::string_view a, absl::string_view b);
absl::StatusOr<int> CompareDpkg(absl::string_view a, absl::string_view b);

// Two strings of ASCII digits of any length, by value: -1, 0 or 1.
int CompareDigits(absl::string_view a, absl::string_view b);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_VERSION_H_
