// What the inventory's readers share (inventory.cc, pip_install.cc): reading
// a lockfile beneath the scanned root within its cap, and adding one file's
// inventory to the result.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_INVENTORY_FILES_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_INVENTORY_FILES_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "stages/scan/deps/inventory.h"

namespace dso {

// `rel` beneath `root` (a link out of it not followed), at most
// kMaxLockfileBytes read.
absl::StatusOr<std::string> ReadLockfileBeneath(
    const std::filesystem::path& root, const std::string& rel);

// Adds a file's packages, notes and warnings (and the count of those it
// did not keep) to `out`, and the file to out.files.
void AddFileInventory(Inventory one, const std::string& rel,
                      InventoryResult& out);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_INVENTORY_FILES_H_
