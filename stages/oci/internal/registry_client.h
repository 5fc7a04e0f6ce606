// RegistryClient: one repository of a registry over the OCI distribution
// API (Docker Hub, GHCR, Harbor, Nexus, Debian's docker-registry), for
// pulls and pushes: anonymous, basic or bearer-token authentication (a
// token fetched from the realm the registry names, fetched again when a
// push needs a wider scope), deadlines on every request, every byte read
// verified against the digest asked for, uploads in chunks and
// cross-repository mounts.
//
// Not thread-safe: one client per thread.
#ifndef DSO_STAGES_OCI_INTERNAL_REGISTRY_CLIENT_H_
#define DSO_STAGES_OCI_INTERNAL_REGISTRY_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/oci/registry.h"

namespace dso {

struct RegistryManifest {
  std::string bytes;
  std::string digest;  // sha256 of bytes
  std::string media_type;
};

class RegistryClient {
 public:
  RegistryClient(RegistryRef ref, RegistryOptions options);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const RegistryRef& ref() const { return ref_; }
  // "127.0.0.1:5000/app:1", for messages.
  std::string Where() const { return ref_.ToString(); }

  // The manifest (or index) under a tag or digest; nullopt on 404. A
  // digest reference must match the bytes.
  absl::StatusOr<std::optional<RegistryManifest>> GetManifest(
      const std::string& reference);
  // The image manifest `reference` names, an index resolved to
  // linux/amd64. NOT_FOUND when there is none.
  absl::StatusOr<RegistryManifest> ResolveImage(const std::string& reference);
  // Small blobs into memory, large ones into a file; both verified.
  absl::StatusOr<std::string> GetBlob(const std::string& digest,
                                      uint64_t limit);
  absl::Status GetBlobToFile(const std::string& digest, uint64_t size,
                             const std::string& path);

  absl::StatusOr<bool> HasBlob(const std::string& digest);
  absl::Status PutBlob(absl::string_view bytes);
  // Uploads a file known to have `digest` and `size` (skipped when the
  // registry has it; mounted from `mount_from`, a repository of the same
  // registry, when it can). Large files go up in chunks.
  absl::Status PutBlobFile(const std::string& path, const std::string& digest,
                           uint64_t size, const std::string& mount_from = "");
  absl::Status PutManifest(const std::string& reference,
                           absl::string_view bytes,
                           const std::string& media_type);

  // How many blobs were mounted rather than uploaded (for reports).
  int mounted() const { return mounted_; }

 private:
  class Session;
  RegistryRef ref_;
  std::unique_ptr<Session> session_;
  int mounted_ = 0;
};

// Chunk size for blob uploads (PATCH); blobs up to it go in one request.
inline constexpr uint64_t kRegistryChunkBytes = 32 << 20;

}  // namespace dso

#endif  // DSO_STAGES_OCI_INTERNAL_REGISTRY_CLIENT_H_
