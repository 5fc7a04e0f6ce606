// Checks for relative paths that must stay inside a directory.
#ifndef DSO_STAGES_CORE_RELATIVE_PATH_H_
#define DSO_STAGES_CORE_RELATIVE_PATH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// True for a non-empty path that is not absolute, has no ".." component and
// no NUL byte: joined to a directory, it names something inside it (links
// aside, which callers that open the path must guard against).
bool IsSafeRelativePath(absl::string_view path);

// True when `path` equals `root` or lies below it; both must be normalised
// absolute paths (no trailing slash except for "/").
bool IsUnder(absl::string_view path, absl::string_view root);

// An absolute `path` with every link resolved as far as it exists and the
// rest (what does not exist yet) appended as written, which may hold no
// "." or ".." component. INVALID_ARGUMENT naming `what` otherwise.
absl::StatusOr<std::string> ResolvePath(absl::string_view what,
                                        const std::string& path);

// ResolvePath, then PERMISSION_DENIED unless the result lies beneath one of
// `roots`; `roots_name` names the setting in the message
// ("allowed_roots"). The check is by resolution at call time: a caller
// that opens the path later opens what it resolved to then.
absl::StatusOr<std::string> ResolveBeneathRoots(
    absl::string_view what, const std::string& path,
    const std::vector<std::string>& roots, absl::string_view roots_name);

}  // namespace dso

#endif  // DSO_STAGES_CORE_RELATIVE_PATH_H_
