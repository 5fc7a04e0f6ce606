// ImageFileView: what an image's file system holds once its layers are
// applied in order, as the container runtime's overlay would: a later
// entry replaces an earlier one (a non-directory also hides what was below
// it), `.wh.NAME` deletes NAME and everything under it from the layers
// below, `.wh..wh..opq` empties its directory of everything from below.
// Only headers are kept, never contents.
#ifndef DSO_STAGES_SCAN_IMAGE_INTERNAL_IMAGE_VIEW_H_
#define DSO_STAGES_SCAN_IMAGE_INTERNAL_IMAGE_VIEW_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "stages/oci/layer_reader.h"

namespace dso {

class ImageFileView {
 public:
  struct Node {
    LayerEntryInfo info;
    size_t layer = 0;  // index of the layer the visible version comes from
  };

  // Applies layer `layer`'s entries, in the order the layer lists them.
  void ApplyLayer(size_t layer, const std::vector<LayerEntryInfo>& entries);

  // The visible entry at `path`, or null.
  const Node* Find(const std::string& path) const;
  // Every visible entry, by path.
  const std::map<std::string, Node>& nodes() const { return nodes_; }
  // Entries of lower layers deleted or hidden so far (they are still in
  // the image, in their layers).
  size_t whited_out() const { return whited_out_; }

 private:
  void EraseTree(const std::string& path, bool keep_root);
  std::map<std::string, Node> nodes_;
  size_t whited_out_ = 0;
};

// Whether a layer entry is a whiteout marker rather than a file.
bool IsWhiteout(const std::string& path);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_IMAGE_INTERNAL_IMAGE_VIEW_H_
