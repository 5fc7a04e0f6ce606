// Reads every layer of an image once, streaming (nothing is unpacked but
// the few small files the package inventory needs, into scratch): each
// file of each layer goes through the secrets engine — files a later layer
// deletes are still in the image, so they are scanned too — the layers'
// headers build the image's final file view, and the package databases,
// lockfiles and installed-package metadata visible in that view are laid
// out under `rootfs` for the dependency inventory; ELF files are searched
// for Go build information. Layers are read in parallel.
#ifndef DSO_STAGES_SCAN_IMAGE_IMAGE_SCANNER_H_
#define DSO_STAGES_SCAN_IMAGE_IMAGE_SCANNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stages/oci/layer_reader.h"
#include "stages/oci/oci_layout.h"
#include "stages/scan/deps/lockfiles.h"
#include "stages/scan/image/internal/image_view.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {

struct ImageScanProgress {
  uint64_t layers_done = 0, layers = 0;
  uint64_t files = 0, bytes = 0;
};

struct ImageScanOptions {
  // The largest inventory file taken out of a layer: one the inventory
  // reads whole, and one it reads in pieces (lockfile_stream.h). A larger
  // one the final view shows is named in unread_inventory.
  uint64_t max_inventory_file = kMaxLockfileBytes;
  uint64_t max_streamed_inventory_file = kMaxStreamedLockfileBytes;
  SecretScanner* secrets = nullptr;  // null: no secret scanning
  int threads = 0;                   // 0: one per core
  std::string scratch;               // must exist; rootfs goes below it
  LayerLimits limits;
  std::function<bool()> cancelled;
  std::function<void(const ImageScanProgress&)> progress;
};

struct ImageScanResult {
  std::vector<std::string> layer_digests;
  ImageFileView view;
  // Per layer, in order.
  std::vector<std::vector<LayerProblem>> problems;
  std::vector<SecretScanResult> secrets;
  // Secrets in the configuration's environment ("config:Env").
  SecretScanResult config_secrets;
  std::string rootfs;  // the visible inventory files, at their image paths
  // The modules of the Go programs the final view shows (go_buildinfo.h).
  Inventory go_programs;
  uint64_t files = 0, bytes = 0;
  std::vector<std::string> warnings;
  // Inventory files of the final view too large to take out, "PATH: why":
  // their packages are unknown, so a deps scan cannot pass.
  std::vector<std::string> unread_inventory;
};

// Fails when a layer is damaged (naming it) or the scan was cancelled.
absl::StatusOr<ImageScanResult> ScanImageLayers(
    const BaseImage& image, const ImageScanOptions& options);

// Whether the dependency inventory reads the file at `path` in an image.
bool IsInventoryFile(const std::string& path);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_IMAGE_IMAGE_SCANNER_H_
