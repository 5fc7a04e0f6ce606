// Installed packages read from lockfiles and manifests: each parser takes a
// file's text and its path relative to the scanned root, and adds what it
// pins (ecosystem, name, version, where) to an inventory. What cannot be
// matched (unpinned requirements, URLs) is noted, not guessed; a file that
// does not parse is an error naming it and the place.
#ifndef DSO_STAGES_SCAN_DEPS_LOCKFILES_H_
#define DSO_STAGES_SCAN_DEPS_LOCKFILES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dso {

struct Package {
  std::string ecosystem;  // OSV's name: "PyPI", "Go", "npm"
  std::string name;
  std::string version;
  std::string file;  // relative to the scanned root
  uint32_t line = 0;
};

struct Inventory {
  std::vector<Package> packages;
  std::vector<std::string>
      notes;  // "requirements.txt:3: 'flask' is not pinned"
};

// PyPI
absl::Status ParseRequirementsTxt(absl::string_view text,
                                  const std::string& file, Inventory* out);
absl::Status ParsePipfileLock(absl::string_view text, const std::string& file,
                              Inventory* out);
absl::Status ParsePoetryLock(absl::string_view text, const std::string& file,
                             Inventory* out);
absl::Status ParseUvLock(absl::string_view text, const std::string& file,
                         Inventory* out);
// crates.io
absl::Status ParseCargoLock(absl::string_view text, const std::string& file,
                            Inventory* out);
// Go
absl::Status ParseGoMod(absl::string_view text, const std::string& file,
                        Inventory* out);
// npm: package-lock.json v1–v3 and npm-shrinkwrap.json
absl::Status ParsePackageLockJson(absl::string_view text,
                                  const std::string& file, Inventory* out);
// npm: yarn.lock (v1 and Berry) and pnpm-lock.yaml (v5–v9)
absl::Status ParseYarnLock(absl::string_view text, const std::string& file,
                           Inventory* out);
absl::Status ParsePnpmLock(absl::string_view text, const std::string& file,
                           Inventory* out);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_LOCKFILES_H_
