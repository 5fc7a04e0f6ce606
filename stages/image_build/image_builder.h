// Builds an OCI image without a daemon: a base image (or scratch) plus one
// new layer holding the build context, with the image configuration merged
// over the base's. The same inputs give the same bytes, hence the same
// manifest digest: the layer is deterministic (layer_writer.h), JSON is
// written with sorted keys, and every time stamp is SOURCE_DATE_EPOCH (0
// when unset).
#ifndef DSO_STAGES_IMAGE_BUILD_IMAGE_BUILDER_H_
#define DSO_STAGES_IMAGE_BUILD_IMAGE_BUILDER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stages/image_build/layer_writer.h"

namespace dso {

struct BuildSpec {
  std::string context_dir;
  std::string base;      // OCI layout dir or docker archive; "" = scratch
  std::string base_ref;  // a tag inside the base layout, if it has several
  // The base's name for the manifest's org.opencontainers.image.base.name
  // (a registry reference); default: its tag in the layout or archive.
  std::string base_name;
  std::string app_dir = "/app";  // where the context goes in the image
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;     // NAME=VALUE, over the base's
  std::string user;                 // e.g. "65532:65532"
  std::string workdir;              // default: app_dir
  std::vector<std::string> expose;  // "8080/tcp"
  std::map<std::string, std::string> labels;
  std::vector<ExtraFile> files;
  std::string tag;    // org.opencontainers.image.ref.name
  int64_t epoch = 0;  // SOURCE_DATE_EPOCH
};

struct BuildResult {
  std::string manifest_digest;
  uint64_t manifest_size = 0;
  std::string config_digest;
  std::vector<std::string> layer_digests;  // base first, ours last
  LayerBlob layer;                         // ours
  size_t files = 0;                        // entries in our layer
};

// Writes the image as an OCI layout into `out_dir` (must not exist), using
// `scratch` for temporary files.
absl::StatusOr<BuildResult> BuildImage(const BuildSpec& spec,
                                       const std::string& out_dir,
                                       const std::string& scratch);

// Splits an --entrypoint: a JSON array of strings, or words separated by
// spaces.
absl::StatusOr<std::vector<std::string>> ParseCommandLine(
    const std::string& text, const std::string& what);

// Reads SOURCE_DATE_EPOCH's value ("" = 0).
absl::StatusOr<int64_t> ParseSourceDateEpoch(const std::string& value);

}  // namespace dso

#endif  // DSO_STAGES_IMAGE_BUILD_IMAGE_BUILDER_H_
