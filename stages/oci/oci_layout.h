// OCI image layouts on disk: reading a base image (an OCI layout directory
// or a `docker save` archive) and writing a new layout.
//
// Reading treats the input as untrusted: digests are checked as
// "sha256:<hex>" before they become file names, every blob is verified
// against its digest when copied, a docker archive is unpacked with the
// hostile-tar rules of tar_dir.h and its manifest's paths must stay inside.
#ifndef DSO_STAGES_OCI_OCI_LAYOUT_H_
#define DSO_STAGES_OCI_OCI_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

inline constexpr char kOciManifestType[] =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciIndexType[] =
    "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciConfigType[] =
    "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayerGzipType[] =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerTarType[] =
    "application/vnd.oci.image.layer.v1.tar";

struct BlobRef {
  std::string media_type;
  std::string digest;  // sha256:<hex>
  uint64_t size = 0;
  std::string path;  // where the bytes are
};

struct BaseImage {
  std::string manifest_digest;  // empty for a docker archive
  std::string ref_name;         // its tag in the layout or archive, if any
  std::string base_name;        // annotation org.opencontainers.image.base.name
  std::string config_json;
  std::vector<BlobRef> layers;  // base first
};

// Reads the image at `path`: an OCI layout directory (its only image, or
// the one tagged `ref` when given; a multi-platform index resolves to
// linux/amd64) or a docker-save tar, unpacked under `scratch`.
absl::StatusOr<BaseImage> ReadBaseImage(const std::string& path,
                                        const std::string& scratch,
                                        const std::string& ref = "");

// Writes a layout into the directory `dir` (created; must not exist).
class OciLayoutWriter {
 public:
  static absl::StatusOr<OciLayoutWriter> Create(const std::string& dir);

  // Stores bytes as a blob; returns its descriptor.
  absl::StatusOr<BlobRef> PutBytes(absl::string_view data,
                                   absl::string_view media_type);
  // Copies a blob, verifying it has `ref.digest` and `ref.size`.
  absl::Status CopyBlob(const BlobRef& ref);
  // Moves a file already known to have `ref.digest` into the blobs.
  absl::Status AdoptBlob(const std::string& path, const BlobRef& ref);
  // Writes index.json pointing at `manifest`, tagged `tag` when given.
  absl::Status WriteIndex(const BlobRef& manifest, const std::string& tag);

  std::string BlobPath(absl::string_view digest) const;
  const std::string& dir() const { return dir_; }

 private:
  explicit OciLayoutWriter(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// Adds manifest.json (docker's) to a layout written by OciLayoutWriter and
// packs the whole directory as a tar `docker load` reads (since Docker 25 a
// docker archive is also an OCI layout).
absl::Status WriteDockerArchive(const std::string& layout_dir,
                                const std::string& config_digest,
                                const std::vector<std::string>& layer_digests,
                                const std::string& tag,
                                const std::string& archive_path);

}  // namespace dso

#endif  // DSO_STAGES_OCI_OCI_LAYOUT_H_
