// Test helper for lockfile parsers: each package of an inventory as
// "ecosystem name@version file:line", easy to compare as a list.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_LOCKFILES_TESTING_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_LOCKFILES_TESTING_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

inline std::vector<std::string> Described(const Inventory& inv) {
  std::vector<std::string> out;
  for (const Package& p : inv.packages) {
    out.push_back(absl::StrCat(p.ecosystem, " ", p.name, "@", p.version, " ",
                               p.file, ":", p.line));
  }
  return out;
}

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_LOCKFILES_TESTING_H_
