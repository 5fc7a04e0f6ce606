// Reads one image layer (tar, tar+gzip or tar+zstd) as a stream of entries,
// without extracting anything: each entry's header, normalised, and a way
// to read its bytes. The layer is untrusted: paths with "..", device files,
// hard links and symbolic links leading out of the root, and entries or
// layers beyond the size limits are reported as problems (and `..` entries
// skipped) rather than followed.
#ifndef DSO_STAGES_OCI_LAYER_READER_H_
#define DSO_STAGES_OCI_LAYER_READER_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace dso {

struct LayerEntryInfo {
  enum class Type { kFile, kDirectory, kSymlink, kHardlink, kDevice, kOther };
  std::string path;  // relative, no "./" or leading '/', no trailing '/'
  Type type = Type::kFile;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky
  uint64_t size = 0;
  std::string link;  // symlink text, or hard link target (normalised)
};

// A problem with a layer entry, to report as a finding.
struct LayerProblem {
  // (image_checks.cc reports them in this order.)
  enum class Kind { kTraversal, kLinkEscapes, kDevice, kTooLarge };
  Kind kind;
  std::string path;
  std::string detail;
};

struct LayerLimits {
  uint64_t max_bytes = 64ull << 30;  // uncompressed bytes per layer
  uint64_t max_entries = 2'000'000;
};

// Reads the current entry's bytes: up to n, 0 at its end, -1 with `error`.
using LayerDataFn = std::function<ssize_t(char*, size_t, std::string*)>;

// Called per entry (not for skipped ones); the entry's bytes may be read
// through `data` until the visitor returns. A non-OK status stops reading.
using LayerVisitor =
    std::function<absl::Status(const LayerEntryInfo&, const LayerDataFn&)>;

// Reads the layer at `path` (compression detected from its bytes). Fails on
// a damaged archive, naming `name` and the entry; problems are appended.
// With `expected_digest`, a layer read to its end whose bytes do not have
// that digest fails too (DATA_LOSS).
absl::Status ReadLayer(const std::string& path, const std::string& name,
                       const LayerLimits& limits, const LayerVisitor& visit,
                       std::vector<LayerProblem>* problems,
                       const std::string& expected_digest = "");

}  // namespace dso

#endif  // DSO_STAGES_OCI_LAYER_READER_H_
