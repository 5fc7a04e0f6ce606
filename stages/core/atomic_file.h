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

// Removes the temporary files WriteFileAtomically left beside `path` in
// processes that died mid-write (".NAME.tmp.PID" of a PID no longer alive);
// a live writer's stays. Returns how many were removed.
int RemoveStaleTempFiles(const std::string& path);

// fsyncs a directory so that a rename in it survives a crash.
absl::Status SyncDirectory(const std::string& dir);

}  // namespace dso

#endif  // DSO_STAGES_CORE_ATOMIC_FILE_H_
