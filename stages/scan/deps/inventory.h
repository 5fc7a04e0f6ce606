// The packages a directory tree pins: every lockfile and manifest dso reads
// (lockfiles.h), found by name anywhere under the root except in `.git` and
// `node_modules` (installed copies, not the project's own lockfiles), and
// the OS package databases of root file systems in the tree (an unpacked
// image, the scanned root itself), each with its os-release.
#ifndef DSO_STAGES_SCAN_DEPS_INVENTORY_H_
#define DSO_STAGES_SCAN_DEPS_INVENTORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

struct InventoryResult {
  Inventory inventory;
  std::vector<std::string> files;     // lockfiles read, relative to the root
  std::vector<std::string> warnings;  // files left out for a reason, noted
  // Lockfiles and package databases dso reads but could not read whole
  // (too large, unreadable, not parseable), each "FILE: why". The packages
  // in them are unknown: a scan that had any cannot pass (scan_step.h).
  std::vector<std::string> unread;
};

// Fails only when `root` is not a readable directory. With `installed`,
// packages installed in the tree count too (InstalledParserFor): for a file
// system such as an image's, not for a source tree.
absl::StatusOr<InventoryResult> CollectInventory(const std::string& root,
                                                 bool installed = false);

// Whether dso reads a file of this name, and with which parser.
using LockfileParser = absl::Status (*)(absl::string_view, const std::string&,
                                        Inventory*);
LockfileParser ParserFor(const std::string& file_name);

// The parser for an installed package's metadata at `path` (relative,
// '/'-separated): `node_modules/NAME/package.json`,
// `node_modules/@SCOPE/NAME/package.json`, `*.dist-info/METADATA`,
// `*.egg-info/PKG-INFO`; null for other paths.
LockfileParser InstalledParserFor(const std::string& path);

// Whether a path (relative, '/'-separated) is an OS package database:
// `var/lib/dpkg/status`, a file in `var/lib/dpkg/status.d/`,
// `lib/apk/db/installed`; `root` is the path of its file system's root
// ("" or ending in '/'). parser is null for other paths.
using OsPackageParser = absl::Status (*)(absl::string_view, const std::string&,
                                         const std::string&, Inventory*);
struct OsDatabase {
  OsPackageParser parser = nullptr;
  std::string root;
};
OsDatabase OsDatabaseAt(const std::string& path);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INVENTORY_H_
