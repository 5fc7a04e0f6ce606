// Lockfiles read in pieces, in memory bounded whatever their size: npm's
// package-lock.json and npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml (the
// ones that grow to hundreds of megabytes in large monorepos). A reader
// adds what it reads to the Inventory it was made with (lockfiles.h), which
// the caller owns; it keeps no piece after Consume returns.
#ifndef DSO_STAGES_SCAN_DEPS_LOCKFILE_STREAM_H_
#define DSO_STAGES_SCAN_DEPS_LOCKFILE_STREAM_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

class LockfileReader {
 public:
  virtual ~LockfileReader() = default;
  // Reads the whole lines or tokens at the start of `data` (the bytes that
  // follow those consumed before) and returns how many bytes that was; the
  // rest comes again, with more after it, in the next call. `last`: nothing
  // follows `data`. An error names the file and the place.
  virtual absl::StatusOr<size_t> Consume(absl::string_view data, bool last) = 0;
};

using LockfileReaderFactory = std::unique_ptr<LockfileReader> (*)(
    const std::string& file, Inventory* out);
// The reader for a lockfile of this name, or null when dso reads it whole.
LockfileReaderFactory StreamingReaderFor(const std::string& file_name);

std::unique_ptr<LockfileReader> NewPackageLockReader(const std::string& file,
                                                     Inventory* out);
std::unique_ptr<LockfileReader> NewYarnLockReader(const std::string& file,
                                                  Inventory* out);
std::unique_ptr<LockfileReader> NewPnpmLockReader(const std::string& file,
                                                  Inventory* out);

// Gives `reader` all of `text` at once.
absl::Status ReadText(LockfileReader& reader, absl::string_view text);

// Gives `reader` what `fd` holds, in pieces of a few MiB, refusing more
// than `max_bytes` and a line or token longer than a piece; errors name
// `file`.
absl::Status ReadDescriptor(LockfileReader& reader, int fd,
                            const std::string& file, uint64_t max_bytes);

// A reader of lines ('\n' ends one, a '\r' before it is dropped), each
// given whole with its number (from 1) to Line.
class LineReader : public LockfileReader {
 public:
  absl::StatusOr<size_t> Consume(absl::string_view data, bool last) final;

 protected:
  virtual void Line(absl::string_view line, uint32_t number) = 0;
  // Set by Line to stop the reading with an error.
  absl::Status failed_;

 private:
  uint32_t number_ = 0;
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_LOCKFILE_STREAM_H_
