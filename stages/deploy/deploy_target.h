// Where a deployment goes and how: targets named in the agent's config
// (`deploy_targets:`, a map of name to settings) or given ad hoc as
// host://DIR or kubernetes://NAMESPACE/NAME, with the request's settings
// filling what the target leaves open. A named target's admission settings
// (key, level, required types) are the operator's and a request cannot override
// them.
//
//   deploy_targets:
//     web:
//       kind: host              # the only kind so far
//       dir: /srv/web
//       verify_key: /etc/dso/release.pub
//       level: 3                # final gate passed for level 3 or above
//       require: [sbom, provenance]
//       health: http://127.0.0.1:{port}/healthz
//       health_timeout: 30
//       strategy: replace       # or blue-green
//       port: 8080
//       keep: 5
//       rasp: /etc/dso/web-rasp.yaml
//       include: [/app]
//       shared: [data]          # directories kept across releases
//       user: "65532"
//       switch_hook: "systemctl reload nginx"   # blue-green
//     shop:
//       kind: kubernetes        # manifests pinned by digest, kubectl apply
//       namespace: shop
//       app: shop               # the Deployment's and Service's name
//       replicas: 3
//       port: 8080              # the container's; service_port: 80
//       dir: /var/lib/dso/shop  # where the rendered manifests are kept
#ifndef DSO_STAGES_DEPLOY_DEPLOY_TARGET_H_
#define DSO_STAGES_DEPLOY_DEPLOY_TARGET_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dso/v1/steps.pb.h"

namespace dso {

struct DeployTarget {
  enum class Kind { kHost, kKubernetes };
  Kind kind = Kind::kHost;
  std::string name;
  std::string dir;  // kubernetes: where manifests are kept ("" = not kept)
  std::string namespace_ = "default";  // kubernetes
  std::string app;                     // kubernetes: default the name
  int replicas = 2;
  int service_port = 80;
  bool named = false;  // from the agent's config
  std::string verify_key;
  int level = 1;
  std::vector<std::string> require = {"sbom", "provenance"};
  std::string health;
  int health_timeout_seconds = 30;
  bool blue_green = false;
  int port = 0;
  int keep = 5;
  std::string rasp_policy;  // a file
  std::vector<std::string> include;
  std::vector<std::string> shared;
  std::string user;
  std::string switch_hook;
  std::vector<std::string> command;
  std::vector<std::string> env;
};

using DeployTargets = std::map<std::string, DeployTarget>;

// Parses the `deploy_targets:` map (YAML text) of the config `source`.
absl::StatusOr<DeployTargets> ParseDeployTargets(const std::string& yaml,
                                                 const std::string& source);

// The target a request names, with the request's settings applied; the
// RASP policy file is left to the caller (it travels as an Input).
absl::StatusOr<DeployTarget> ResolveDeployTarget(
    const dso::v1::DeployParams& params, const DeployTargets& targets);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_DEPLOY_TARGET_H_
