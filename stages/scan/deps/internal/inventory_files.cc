#include "stages/scan/deps/internal/inventory_files.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "stages/core/bounded_file.h"

namespace dso {

absl::StatusOr<std::string> ReadLockfileBeneath(
    const std::filesystem::path& root, const std::string& rel) {
  absl::StatusOr<int> fd = OpenRegularBeneath(root.string(), rel);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<std::string> text = ReadBounded(*fd, rel, kMaxLockfileBytes);
  close(*fd);
  return text;
}

void AddFileInventory(Inventory one, const std::string& rel,
                      InventoryResult& out) {
  for (auto& pkg : one.packages) {
    out.inventory.packages.push_back(std::move(pkg));
  }
  for (auto& s : one.sourced) out.inventory.sourced.push_back(std::move(s));
  for (auto& n : one.notes) out.inventory.notes.push_back(std::move(n));
  for (auto& w : one.warnings) out.warnings.push_back(std::move(w));
  if (one.notes_dropped > 0) {
    out.inventory.notes.push_back(
        absl::StrCat(rel, ": ", one.notes_dropped, " more notes not shown"));
  }
  if (one.warnings_dropped > 0) {
    out.warnings.push_back(absl::StrCat(rel, ": ", one.warnings_dropped,
                                        " more warnings not shown"));
  }
  out.files.push_back(rel);
}

}  // namespace dso
