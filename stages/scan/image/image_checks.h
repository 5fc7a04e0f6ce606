// Checks of an image's configuration and final file view, and its layers'
// problems, as findings of the "image" scanner:
//   image-runs-as-root          MEDIUM  no USER, or user 0/root
//   image-no-healthcheck        LOW     no HEALTHCHECK (or NONE)
//   image-world-writable        MEDIUM  a file or directory anyone may
//                                       write (sticky directories such as
//                                       /tmp and symbolic links excepted)
//   image-setuid-setgid         INFO    a setuid or setgid file
//   image-package-cache         LOW     apt, apk, pip or npm caches left
//   image-base-unpinned         LOW     the base named by tag `latest` or
//                                       by no tag at all
//   image-layer-path-traversal  HIGH    a layer entry climbing out with ..
//   image-layer-link-escapes    LOW     a link resolving outside the root
//   image-layer-device-file     MEDIUM  a device node in a layer
//   image-layer-too-large       MEDIUM  a layer past the size limits
// Findings name the path and the layer digest; fingerprints leave the
// digest out, so a rebuilt image keeps its waivers.
#ifndef DSO_STAGES_SCAN_IMAGE_IMAGE_CHECKS_H_
#define DSO_STAGES_SCAN_IMAGE_IMAGE_CHECKS_H_

#include <string>
#include <vector>

#include "dso/v1/finding.pb.h"
#include "stages/scan/image/image_scanner.h"

namespace dso {

// `config_json`: the image config; `base_name`: the manifest's
// org.opencontainers.image.base.name annotation, if any.
std::vector<dso::v1::Finding> CheckImage(const ImageScanResult& scan,
                                         const std::string& config_json,
                                         const std::string& base_name);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_IMAGE_IMAGE_CHECKS_H_
