// Writing files so that readers see the old content or the new, never a
// mix: write to a temporary file beside the target, fsync, rename, fsync dir.
#ifndef DSO_STAGES_CORE_ATOMIC_FILE_H_
#define DSO_STAGES_CORE_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content);

// fsyncs a directory so that a rename in it survives a crash.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace dso

#endif  // DSO_STAGES_CORE_ATOMIC_FILE_H_
