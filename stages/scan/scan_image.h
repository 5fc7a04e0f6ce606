// The scan step on an image: the layers read once (image_scanner.h) for
// secrets — in every layer, and in the config's environment —, the visible
// package databases, lockfiles and installed-package metadata matched
// against the vulnerability database, and the image checks
// (image_checks.h). Findings carry the layer digest. Internal to the scan
// step.
#ifndef DSO_STAGES_SCAN_SCAN_IMAGE_H_
#define DSO_STAGES_SCAN_SCAN_IMAGE_H_

#include <string>
#include <vector>

#include "stages/scan/scan_parts.h"

namespace dso {

struct ImageScanners {
  bool secrets = false;
  bool deps = false;
  bool deps_asked = false;  // by name: an empty database is an error
  bool checks = false;
};

absl::StatusOr<std::vector<ScannerOutput>> ScanImage(
    const dso::v1::ScanParams& p, const std::string& image_path,
    const ImageScanners& which, StepContext& context, const ScanDirs& dirs);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SCAN_IMAGE_H_
