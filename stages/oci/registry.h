// Pulling an image from a registry (the OCI distribution API, as Docker
// Hub, GHCR, Harbor, Nexus and Debian's docker-registry serve it) into an
// OCI layout directory: anonymous, basic or bearer-token authentication
// (the token fetched from the realm the registry names), a multi-platform
// index resolved to linux/amd64, every blob verified against its digest
// and size while it streams to disk, deadlines on every request.
#ifndef DSO_STAGES_OCI_REGISTRY_H_
#define DSO_STAGES_OCI_REGISTRY_H_

#include <cstdint>
#include <string>

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
absl::Status PullImage(const RegistryRef& ref, const RegistryOptions& options,
                       const std::string& dir);

}  // namespace dso

#endif  // DSO_STAGES_OCI_REGISTRY_H_
