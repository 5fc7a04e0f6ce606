#include "stages/deploy/kubernetes_manifests.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace dso {
namespace {

// A DNS-1123 label: lower-case letters, digits and '-', not at either end.
bool IsDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

YAML::Node Labels(const KubernetesApp& app) {
  YAML::Node labels;
  labels["app.kubernetes.io/name"] = app.name;
  labels["app.kubernetes.io/managed-by"] = "dso";
  return labels;
}

YAML::Node Probe(const KubernetesApp& app, int initial_delay) {
  YAML::Node probe;
  probe["httpGet"]["path"] = app.health_path;
  probe["httpGet"]["port"] = app.port;
  probe["initialDelaySeconds"] = initial_delay;
  probe["periodSeconds"] = 10;
  return probe;
}

// An object's apiVersion, kind and metadata.
YAML::Node Object(const KubernetesApp& app, const char* api, const char* kind) {
  YAML::Node o;
  o["apiVersion"] = api;
  o["kind"] = kind;
  o["metadata"]["name"] = app.name;
  o["metadata"]["namespace"] = app.namespace_;
  o["metadata"]["labels"] = Labels(app);
  return o;
}

YAML::Node Deployment(const KubernetesApp& app) {
  YAML::Node d = Object(app, "apps/v1", "Deployment");
  d["metadata"]["annotations"]["dso.dev/image-digest"] = app.digest;
  d["metadata"]["annotations"]["dso.dev/verified"] =
      absl::StrJoin(app.verified, ",");
  d["spec"]["replicas"] = app.replicas;
  d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] = app.name;
  YAML::Node pod = d["spec"]["template"];
  pod["metadata"]["labels"] = Labels(app);
  YAML::Node spec = pod["spec"];
  spec["automountServiceAccountToken"] = false;
  spec["securityContext"]["runAsNonRoot"] = true;
  spec["securityContext"]["runAsUser"] = app.uid;
  spec["securityContext"]["runAsGroup"] = app.gid;
  spec["securityContext"]["seccompProfile"]["type"] = "RuntimeDefault";
  YAML::Node c;
  c["name"] = app.name;
  c["image"] = absl::StrCat(app.repository, "@", app.digest);
  c["imagePullPolicy"] = "IfNotPresent";
  if (!app.command.empty()) {
    for (const std::string& arg : app.command) c["command"].push_back(arg);
  }
  YAML::Node port;
  port["name"] = "http";
  port["containerPort"] = app.port;
  c["ports"].push_back(port);
  for (const std::string& e : app.env) {
    YAML::Node var;
    size_t eq = e.find('=');
    var["name"] = e.substr(0, eq);
    var["value"] = eq == std::string::npos ? "" : e.substr(eq + 1);
    c["env"].push_back(var);
  }
  YAML::Node sc = c["securityContext"];
  sc["allowPrivilegeEscalation"] = false;
  sc["privileged"] = false;
  sc["readOnlyRootFilesystem"] = true;
  sc["capabilities"]["drop"].push_back("ALL");
  if (!app.health_path.empty()) {
    c["readinessProbe"] = Probe(app, 2);
    c["livenessProbe"] = Probe(app, 10);
  }
  spec["containers"].push_back(c);
  return d;
}

YAML::Node Service(const KubernetesApp& app) {
  YAML::Node s = Object(app, "v1", "Service");
  s["spec"]["selector"]["app.kubernetes.io/name"] = app.name;
  YAML::Node port;
  port["name"] = "http";
  port["port"] = app.service_port;
  port["targetPort"] = "http";
  s["spec"]["ports"].push_back(port);
  return s;
}

}  // namespace

absl::StatusOr<std::string> RenderKubernetesManifests(
    const KubernetesApp& app) {
  for (const std::string* name : {&app.name, &app.namespace_}) {
    if (!IsDnsLabel(*name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", *name,
          "' is not a Kubernetes name (lower-case letters, digits and '-', "
          "at most 63)"));
    }
  }
  if (app.uid == 0) {
    return absl::InvalidArgumentError(
        "the image runs as root; Kubernetes targets run as non-root only "
        "(build with --user, or give the target a user)");
  }
  if (app.digest.rfind("sha256:", 0) != 0 || app.repository.empty()) {
    return absl::InvalidArgumentError(
        "a Kubernetes deployment needs the image's repository and digest");
  }
  YAML::Emitter out;
  out << YAML::BeginDoc << Deployment(app) << YAML::BeginDoc << Service(app);
  if (!out.good()) {
    return absl::InternalError(
        absl::StrCat("rendering the manifests: ", out.GetLastError()));
  }
  return std::string(out.c_str()) + "\n";
}

}  // namespace dso
