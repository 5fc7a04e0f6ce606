// Unpacks an image's layers into a directory, as the container runtime's
// overlay would show them (later layers over earlier ones, whiteouts and
// opaque directories applied), for a host deployment to run from.
//
// The layers are untrusted. Every path is resolved beneath the root with
// the kernel refusing symbolic links on the way (openat2 RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS), so no entry — whatever links earlier entries made —
// writes outside it; ".." entries and links out are skipped and reported
// (layer_reader.h); device files are not created; setuid/setgid bits are
// dropped; the total size and entry count are capped against bombs.
#ifndef DSO_STAGES_DEPLOY_ROOTFS_UNPACK_H_
#define DSO_STAGES_DEPLOY_ROOTFS_UNPACK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stages/oci/oci_layout.h"

namespace dso {

struct UnpackOptions {
  // Image paths to unpack ("/app"); empty: everything.
  std::vector<std::string> include;
  uint64_t max_bytes = 16ull << 30;  // across all layers
  uint64_t max_entries = 2'000'000;
};

struct UnpackResult {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::vector<std::string> skipped;  // what was not created, and why
};

// Unpacks `layers` (base first) into `root`, an existing empty directory.
absl::StatusOr<UnpackResult> UnpackLayers(const std::vector<BlobRef>& layers,
                                          const std::string& root,
                                          const UnpackOptions& options);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_ROOTFS_UNPACK_H_
