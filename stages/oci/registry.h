// Images in registries (the OCI distribution API, as Docker Hub, GHCR,
// Harbor, Nexus and Debian's docker-registry serve it): references, pulling
// into an OCI layout, pushing a layout with its signatures and
// attestations, and a registry repository as an ImageRepo. The protocol
// itself is registry_client.h.
#ifndef DSO_STAGES_OCI_REGISTRY_H_
#define DSO_STAGES_OCI_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace dso {

struct RegistryRef {
  std::string registry;    // host[:port]; "registry-1.docker.io" for Docker Hub
  std::string repository;  // "library/debian"
  std::string reference;   // a tag, or "sha256:<hex>"
  std::string ToString() const;
};

// "debian:12", "ghcr.io/o/r@sha256:…", "127.0.0.1:5000/app:1" (Docker's
// rules: a first component with '.' or ':' or "localhost" is a registry;
// Docker Hub's single names live under "library/"; no tag means latest).
absl::StatusOr<RegistryRef> ParseRegistryRef(absl::string_view text);

struct RegistryOptions {
  std::string username, password;  // empty: anonymous
  // Plain HTTP. Loopback registries (localhost, 127.0.0.0/8, ::1) are
  // always spoken to over HTTP, as Docker does.
  bool plain_http = false;
  absl::Duration timeout = absl::Seconds(60);  // per request, blobs: stall
  uint64_t max_manifest_bytes = 4 << 20;
};

// Pulls `ref` into `dir` (created; must not exist) as an OCI layout tagged
// with the reference. Errors name the registry, the repository and what
// failed (unreachable, unauthorized, not found, digest mismatch).
// With `with_cosign_artifacts`, the signatures, attestations and SBOMs
// tagged beside the image come along (under their tags).
absl::Status PullImage(const RegistryRef& ref, const RegistryOptions& options,
                       const std::string& dir,
                       bool with_cosign_artifacts = false);

struct PushResult {
  std::string digest;             // the image manifest pushed
  std::vector<std::string> tags;  // the tag, then cosign artifact tags
  uint64_t bytes = 0;             // blob bytes (uploaded, present or mounted)
  int mounted = 0;                // blobs mounted from the base's repository
};

// Pushes the image of the layout at `layout_dir` (`layout_ref` picks it by
// tag when there are several) to `ref`, with the signatures, attestations
// and SBOMs tagged beside it. Blobs the registry has are skipped; base
// layers are mounted from the base image's repository on the same
// registry; every blob is checked against its digest before it goes up.
absl::StatusOr<PushResult> PushImage(const std::string& layout_dir,
                                     const std::string& layout_ref,
                                     const RegistryRef& ref,
                                     const RegistryOptions& options);

class ImageRepo;
// The repository `ref` names, as an ImageRepo (image_repo.h).
std::unique_ptr<ImageRepo> OpenRegistryRepo(const RegistryRef& ref,
                                            const RegistryOptions& options);

}  // namespace dso

#endif  // DSO_STAGES_OCI_REGISTRY_H_
