// ImageRepo: where an image and the artifacts that ride beside it under
// their own tags (cosign's signatures and attestations) live — an OCI
// layout directory or a repository in a registry. Signing and verification
// are written once over this interface.
//
// Reads treat the repository as untrusted: every blob and manifest comes
// back verified against the digest it was asked for.
#ifndef DSO_STAGES_OCI_IMAGE_REPO_H_
#define DSO_STAGES_OCI_IMAGE_REPO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

class ImageRepo {
 public:
  virtual ~ImageRepo() = default;

  // The digest of the image manifest the reference names now (a tag is
  // resolved; a multi-platform index is resolved to linux/amd64).
  virtual absl::StatusOr<std::string> ResolveImage() = 0;
  // The repository name signatures record as the image's identity
  // (e.g. "127.0.0.1:5000/app"); may be empty for a layout.
  virtual std::string Identity() const = 0;
  // "registry 127.0.0.1:5000/app" / "layout ./out": for messages.
  virtual std::string Describe() const = 0;

  // The manifest tagged `tag` (or with the digest "sha256:<hex>"), or
  // nullopt when there is no such tag.
  virtual absl::StatusOr<std::optional<std::string>> GetManifest(
      const std::string& tag) = 0;
  // A blob of at most `limit` bytes, verified against `digest`.
  virtual absl::StatusOr<std::string> GetBlob(const std::string& digest,
                                              uint64_t limit) = 0;
  virtual absl::Status PutBlob(absl::string_view bytes) = 0;
  // Stores an OCI image manifest and points `tag` at it.
  virtual absl::Status PutManifest(const std::string& tag,
                                   absl::string_view bytes) = 0;
};

// The layout directory `dir`; `ref` picks the image by its tag
// (org.opencontainers.image.ref.name) when the layout holds several.
absl::StatusOr<std::unique_ptr<ImageRepo>> OpenLayoutRepo(
    const std::string& dir, const std::string& ref = "");

// The tag cosign gives an image's artifacts: "sha256-<hex>.sig" (".att",
// ".sbom") for the manifest digest "sha256:<hex>".
std::string CosignTag(absl::string_view manifest_digest,
                      absl::string_view suffix);

// True for tags cosign gives an image's artifacts: "sha256-<hex>.sig",
// ".att", ".sbom".
bool IsCosignArtifactTag(absl::string_view tag);

}  // namespace dso

#endif  // DSO_STAGES_OCI_IMAGE_REPO_H_
