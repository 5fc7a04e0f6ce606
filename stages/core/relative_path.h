// Checks for relative paths that must stay inside a directory.
#ifndef DSO_STAGES_CORE_RELATIVE_PATH_H_
#define DSO_STAGES_CORE_RELATIVE_PATH_H_

#include "absl/strings/string_view.h"

namespace dso {

// True for a non-empty path that is not absolute, has no ".." component and
// no NUL byte: joined to a directory, it names something inside it (links
// aside, which callers that open the path must guard against).
bool IsSafeRelativePath(absl::string_view path);

// True when `path` equals `root` or lies below it; both must be normalised
// absolute paths (no trailing slash except for "/").
bool IsUnder(absl::string_view path, absl::string_view root);

}  // namespace dso

#endif  // DSO_STAGES_CORE_RELATIVE_PATH_H_
