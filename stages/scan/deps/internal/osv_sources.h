// Where `dsoctl db import` reads OSV records from: a directory tree of
// `.json`, `.yaml` and `.yml` files, one such file, or a `.zip` archive of
// them (OSV's `<ECOSYSTEM>/all.zip` export).
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_SOURCES_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_SOURCES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace dso {

struct OsvFile {
  std::string name;  // the file, or "archive.zip:member.json"
  std::string text;
  bool yaml = false;
};

// Calls `each` for every record file under `path`, in a stable order.
// Members too large to be a record are warnings; a path that cannot be
// read, or an archive that is damaged, is an error (the caller then keeps
// nothing of the import).
absl::Status ForEachOsvFile(const std::string& path,
                            const std::function<void(OsvFile)>& each,
                            std::vector<std::string>* warnings);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_SOURCES_H_
