// Whether a package version is affected by one `affected[]` entry of an OSV
// record, evaluated as the OSV schema defines it: the explicit `versions`
// list, and each SEMVER or ECOSYSTEM range's events (`introduced`, `fixed`,
// `last_affected`, `limit`) walked in version order. GIT ranges name
// commits, not versions, and are left to the list of versions OSV records
// enumerate from them.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_AFFECTED_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_AFFECTED_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

struct OsvEvent {
  enum Kind { kIntroduced, kFixed, kLastAffected, kLimit };
  Kind kind = kIntroduced;
  std::string version;  // "0" for introduced: every version
};

struct OsvRange {
  enum Type { kSemver, kEcosystem, kGit };
  Type type = kEcosystem;
  std::vector<OsvEvent> events;
};

struct OsvAffected {
  std::string ecosystem;  // as in the record: "PyPI", "Go", "Debian:12"
  std::string name;
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;
};

// True when `version` is affected. An error when the ecosystem cannot be
// ordered (and a range needs ordering) or a version does not parse; the
// message names the version.
absl::StatusOr<bool> IsAffected(const OsvAffected& affected,
                                absl::string_view version);

// The `fixed` versions of the ranges that apply (those whose introduced
// version is at or below `version`), lowest first: what to upgrade to.
absl::StatusOr<std::vector<std::string>> FixedVersions(
    const OsvAffected& affected, absl::string_view version);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_AFFECTED_H_
