// Requirements files as pip installs them (`pip install -r FILE`): the files
// a requirements file names with `-r` (their packages count) and `-c`
// (constraints: their `==` pins give the version of a requirement any file
// of the same install leaves unpinned), followed within the scanned tree.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_PIP_INSTALL_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_PIP_INSTALL_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "stages/scan/deps/inventory.h"

namespace dso {

// Reads what the requirements file `rel` (read already: its `includes` and
// `unpinned`) names, and theirs, each file once (`read`), into `out`; adds
// the packages the install's constraints pin. Within the tree under `root`
// only: one outside it is a warning; one missing or unreadable hides its
// packages (out.unread).
void ReadPipInstall(const std::filesystem::path& root, const std::string& rel,
                    const std::vector<Inventory::Include>& includes,
                    const std::vector<Inventory::Unpinned>& unpinned,
                    std::set<std::string>& read, InventoryResult& out);

// The requirements files among `found` that another of them includes, as
// paths relative to `root`: read as part of the file that names them, so
// that an install's constraints reach all of it.
std::set<std::string> IncludedRequirements(
    const std::vector<std::filesystem::path>& found,
    const std::filesystem::path& root);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_PIP_INSTALL_H_
