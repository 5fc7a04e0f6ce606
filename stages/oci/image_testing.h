// Test helpers: layers written entry by entry, however hostile, and images
// assembled from them.
#ifndef DSO_STAGES_OCI_IMAGE_TESTING_H_
#define DSO_STAGES_OCI_IMAGE_TESTING_H_

#include <string>
#include <vector>

#include "stages/oci/oci_layout.h"

namespace dso {

struct TestEntry {
  std::string path;
  char type = 'f';  // f file, d dir, l symlink, h hard link, c char device
  unsigned mode = 0644;
  std::string content;  // file bytes, or link target
};

// Writes a gzip-compressed tar of `entries` to `path`; returns its ref.
BlobRef WriteTestLayer(const std::string& path,
                       const std::vector<TestEntry>& entries);

}  // namespace dso

#endif  // DSO_STAGES_OCI_IMAGE_TESTING_H_
