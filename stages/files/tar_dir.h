// Packing a directory into a tar and unpacking an untrusted tar safely.
//
// This is how inputs travel to an agent on another node: dsoctl packs the
// directory into the agent's artifact store, the agent unpacks it into the
// run's scratch directory. Unpacking treats the archive as hostile: no
// absolute paths, no "..", no links that point outside the destination, no
// device files, and limits on total size and entry count (tar bombs).
#ifndef DSO_STAGES_FILES_TAR_DIR_H_
#define DSO_STAGES_FILES_TAR_DIR_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dso {

// Receives the tar bytes as they are produced.
using ByteSink = std::function<absl::Status(absl::string_view)>;

// Writes a POSIX (pax) tar of `dir`'s contents, entries sorted by path, with
// regular files, directories and symbolic links (not followed); other file
// types are skipped. Paths in the archive are relative to `dir`.
// `skip`, when set, leaves out the entries it returns true for (a
// directory with everything beneath it); it gets the entry's path and
// whether it is a directory.
using PackSkip = std::function<bool(const std::string& path, bool is_dir)>;
absl::Status PackDirectory(const std::string& dir, const ByteSink& sink,
                           const PackSkip& skip = nullptr);

// The same into the file `tar_path`, written beside it and renamed into
// place only when complete.
absl::Status PackDirectoryToFile(const std::string& dir,
                                 const std::string& tar_path);

struct UnpackLimits {
  uint64_t max_total_bytes = 8ull << 30;  // of file contents
  uint64_t max_entries = 1'000'000;
};

// Unpacks the tar (plain, gzip, zstd or xz) at `tar_path` into the existing
// directory `dest`. On error, `dest` may hold a part of the archive; the
// caller owns and removes it. INVALID_ARGUMENT names the offending entry.
absl::Status UnpackTar(const std::string& tar_path, const std::string& dest,
                       const UnpackLimits& limits = {});

}  // namespace dso

#endif  // DSO_STAGES_FILES_TAR_DIR_H_
