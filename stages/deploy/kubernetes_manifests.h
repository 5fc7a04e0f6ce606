// Kubernetes manifests for a verified image: a Deployment pinned by digest
// (REPOSITORY@sha256:...) with a hardened pod (non-root, no privilege
// escalation, read-only root file system, all capabilities dropped, the
// runtime's default seccomp profile, no service account token) and probes
// from the target's HTTP health check, and a Service in front of it.
#ifndef DSO_STAGES_DEPLOY_KUBERNETES_MANIFESTS_H_
#define DSO_STAGES_DEPLOY_KUBERNETES_MANIFESTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dso {

struct KubernetesApp {
  std::string name;  // DNS-1123 label
  std::string namespace_;
  std::string repository;  // "registry.example.com/team/app"
  std::string digest;      // sha256:...
  int replicas = 2;
  int port = 8080;  // the container's
  int service_port = 80;
  std::string health_path;  // "/healthz"; "" = no probes
  uint32_t uid = 65532, gid = 65532;
  std::vector<std::string> env;       // NAME=VALUE
  std::vector<std::string> command;   // "" = the image's
  std::vector<std::string> verified;  // attestation types, as an annotation
};

// The two manifests as one YAML stream. Fails on a name Kubernetes would
// refuse or a root user.
absl::StatusOr<std::string> RenderKubernetesManifests(const KubernetesApp& app);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_KUBERNETES_MANIFESTS_H_
