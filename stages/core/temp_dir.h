// Test support: fresh temporary directories. The caller owns and removes
// the directory.
#ifndef DSO_STAGES_CORE_TEMP_DIR_H_
#define DSO_STAGES_CORE_TEMP_DIR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dso {

// A new, empty directory "<temp dir>/<prefix>-XXXXXX"; "" if none could be
// made.
std::string MakeTempDir(absl::string_view prefix);

}  // namespace dso

#endif  // DSO_STAGES_CORE_TEMP_DIR_H_
