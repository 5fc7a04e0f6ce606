// The application layer of a built image, written byte for byte the same
// from the same inputs: entries sorted by path, every mtime the same
// (SOURCE_DATE_EPOCH or 0), numeric owners without names, modes normalised
// (directories 0755, files 0644 or 0755 when the source is executable),
// no extended attributes; gzip (level 6) with a fixed header.
//
//   auto entries = CollectLayerEntries(context_dir, "/app", extra_files);
//   auto blob = WriteLayer(*entries, epoch, "layer.tar.gz");
//
// The caller owns the output file; on error it may be partly written.
#ifndef DSO_STAGES_IMAGE_BUILD_LAYER_WRITER_H_
#define DSO_STAGES_IMAGE_BUILD_LAYER_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dso {

struct LayerEntry {
  enum class Type { kDirectory, kFile, kSymlink };
  std::string path;  // in the image, relative: "app/bin/server"
  Type type = Type::kFile;
  uint32_t mode = 0644;
  // kFile: the file on disk, `source` relative to `source_root` and opened
  // beneath it (no link leads out of the build context).
  std::string source_root;
  std::string source;
  std::string target;  // kSymlink: the link's text
};

// A file from the build context placed elsewhere in the image.
struct ExtraFile {
  std::string source;  // relative to the context directory
  std::string dest;    // absolute path in the image
  int mode = -1;       // -1: normalised from the source
};

// The context directory's tree under `app_dir` (absolute, e.g. "/app"),
// plus `extra` files, with every parent directory; sorted. Other file types
// (sockets, devices, fifos) are refused, naming the file.
absl::StatusOr<std::vector<LayerEntry>> CollectLayerEntries(
    const std::string& context_dir, const std::string& app_dir,
    const std::vector<ExtraFile>& extra);

struct LayerBlob {
  std::string diff_id;  // sha256 of the uncompressed tar
  std::string digest;   // sha256 of the gzip stream (the blob)
  uint64_t size = 0;    // of the blob
};

// Writes the tar.gz of `entries` to `out_path`.
absl::StatusOr<LayerBlob> WriteLayer(const std::vector<LayerEntry>& entries,
                                     int64_t mtime,
                                     const std::string& out_path);

}  // namespace dso

#endif  // DSO_STAGES_IMAGE_BUILD_LAYER_WRITER_H_
