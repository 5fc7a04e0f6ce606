// The packages a directory tree pins: every lockfile and manifest dso reads
// (lockfiles.h), found by name anywhere under the root except in `.git` and
// `node_modules` (installed copies, not the project's own lockfiles).
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
  std::vector<std::string> warnings;  // files that did not parse or read
};

// Fails only when `root` is not a readable directory.
absl::StatusOr<InventoryResult> CollectInventory(const std::string& root);

// Whether dso reads a file of this name, and with which parser.
using LockfileParser = absl::Status (*)(absl::string_view, const std::string&,
                                        Inventory*);
LockfileParser ParserFor(const std::string& file_name);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INVENTORY_H_
