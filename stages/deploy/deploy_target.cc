#include "stages/deploy/deploy_target.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace dso {
namespace {

absl::Status Bad(const std::string& source, const std::string& where,
                 const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ": deploy_targets.", where, ": ", what));
}

std::vector<std::string> List(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
  } else {
    for (const auto& item : node) out.push_back(item.as<std::string>());
  }
  return out;
}

absl::StatusOr<DeployTarget> ParseOne(const std::string& name,
                                      const YAML::Node& node,
                                      const std::string& source) {
  if (!node.IsMap()) return Bad(source, name, "must be a map of settings");
  DeployTarget t;
  t.name = name;
  t.named = true;
  static const char* const kKnown[] = {"kind",
                                       "dir",
                                       "verify_key",
                                       "level",
                                       "require",
                                       "health",
                                       "health_timeout",
                                       "strategy",
                                       "port",
                                       "keep",
                                       "rasp",
                                       "include",
                                       "shared",
                                       "user",
                                       "switch_hook",
                                       "command",
                                       "env",
                                       "namespace",
                                       "app",
                                       "replicas",
                                       "service_port"};
  for (const auto& entry : node) {
    std::string key = entry.first.as<std::string>();
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return Bad(source, name, "unknown setting " + key);
  }
  std::string kind = node["kind"] ? node["kind"].as<std::string>() : "host";
  if (kind != "host" && kind != "kubernetes") {
    return Bad(source, name + ".kind",
               "must be host or kubernetes, not " + kind);
  }
  t.kind = kind == "host" ? DeployTarget::Kind::kHost
                          : DeployTarget::Kind::kKubernetes;
  if (node["dir"]) t.dir = node["dir"].as<std::string>();
  if ((t.kind == DeployTarget::Kind::kHost || !t.dir.empty()) &&
      (t.dir.empty() || t.dir[0] != '/')) {
    return Bad(source, name + ".dir", "an absolute directory is required");
  }
  if (node["namespace"]) t.namespace_ = node["namespace"].as<std::string>();
  t.app = node["app"] ? node["app"].as<std::string>() : name;
  if (node["replicas"]) t.replicas = node["replicas"].as<int>();
  if (node["service_port"]) t.service_port = node["service_port"].as<int>();
  if (node["verify_key"]) t.verify_key = node["verify_key"].as<std::string>();
  if (node["level"]) t.level = node["level"].as<int>();
  if (t.level < 1 || t.level > 4) {
    return Bad(source, name + ".level", "must be 1 to 4");
  }
  if (node["require"]) t.require = List(node["require"]);
  if (node["health"]) t.health = node["health"].as<std::string>();
  if (node["health_timeout"]) {
    t.health_timeout_seconds = node["health_timeout"].as<int>();
  }
  if (node["strategy"]) {
    std::string s = node["strategy"].as<std::string>();
    if (s != "replace" && s != "blue-green") {
      return Bad(source, name + ".strategy",
                 "must be replace or blue-green, not " + s);
    }
    t.blue_green = s == "blue-green";
  }
  if (node["port"]) t.port = node["port"].as<int>();
  if (node["keep"]) t.keep = node["keep"].as<int>();
  if (t.keep < 1) return Bad(source, name + ".keep", "must be at least 1");
  if (node["rasp"]) t.rasp_policy = node["rasp"].as<std::string>();
  if (node["include"]) t.include = List(node["include"]);
  if (node["shared"]) t.shared = List(node["shared"]);
  if (node["user"]) t.user = node["user"].as<std::string>();
  if (node["switch_hook"])
    t.switch_hook = node["switch_hook"].as<std::string>();
  if (node["command"]) t.command = List(node["command"]);
  if (node["env"]) t.env = List(node["env"]);
  return t;
}

}  // namespace

absl::StatusOr<DeployTargets> ParseDeployTargets(const std::string& yaml,
                                                 const std::string& source) {
  DeployTargets targets;
  if (yaml.empty()) return targets;
  try {
    YAML::Node root = YAML::Load(yaml);
    if (root.IsNull()) return targets;
    if (!root.IsMap()) {
      return absl::InvalidArgumentError(
          source + ": deploy_targets must be a map of target names");
    }
    for (const auto& entry : root) {
      std::string name = entry.first.as<std::string>();
      auto target = ParseOne(name, entry.second, source);
      if (!target.ok()) return target.status();
      targets[name] = *std::move(target);
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": deploy_targets: ", e.what()));
  }
  return targets;
}

absl::StatusOr<DeployTarget> ResolveDeployTarget(const dso::v1::DeployParams& p,
                                                 const DeployTargets& targets) {
  DeployTarget t;
  if (absl::StartsWith(p.target(), "kubernetes://")) {
    std::string rest = p.target().substr(13);
    size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
      return absl::InvalidArgumentError("deploy target " + p.target() +
                                        ": kubernetes://NAMESPACE/NAME");
    }
    t.kind = DeployTarget::Kind::kKubernetes;
    t.namespace_ = rest.substr(0, slash);
    t.app = t.name = rest.substr(slash + 1);
  } else if (absl::StartsWith(p.target(), "host://")) {
    t.dir = p.target().substr(7);
    if (t.dir.empty() || t.dir[0] != '/') {
      return absl::InvalidArgumentError("deploy target " + p.target() +
                                        ": host://DIR needs an absolute DIR");
    }
    t.name = p.name().empty() ? t.dir.substr(t.dir.rfind('/') + 1) : p.name();
  } else {
    auto it = targets.find(p.target());
    if (it == targets.end()) {
      return absl::NotFoundError(absl::StrCat(
          "deploy target '", p.target(),
          "' is not defined in the agent's config (deploy_targets); give "
          "host://DIR for a directory on the agent's host, or "
          "kubernetes://NAMESPACE/NAME"));
    }
    t = it->second;
    if (!p.verify_key().empty() && !t.verify_key.empty() &&
        p.verify_key() != t.verify_key) {
      return absl::PermissionDeniedError(absl::StrCat(
          "deploy target '", t.name, "' verifies with its configured key (",
          t.verify_key, "); a request cannot choose another"));
    }
    if ((!p.require_gate().empty() || !p.require().empty()) && t.named) {
      return absl::PermissionDeniedError(
          absl::StrCat("deploy target '", t.name,
                       "' has its admission requirements in the agent's "
                       "config; a request cannot change them"));
    }
  }
  if (t.verify_key.empty()) t.verify_key = p.verify_key();
  if (!p.require().empty()) {
    t.require.assign(p.require().begin(), p.require().end());
  }
  if (!p.health().empty()) t.health = p.health();
  if (p.health_timeout_seconds()) {
    t.health_timeout_seconds = static_cast<int>(p.health_timeout_seconds());
  }
  if (!p.strategy().empty()) {
    if (p.strategy() != "replace" && p.strategy() != "blue-green") {
      return absl::InvalidArgumentError(
          "deploy strategy must be replace or blue-green, not " + p.strategy());
    }
    t.blue_green = p.strategy() == "blue-green";
  }
  if (p.keep()) t.keep = static_cast<int>(p.keep());
  if (p.port()) t.port = static_cast<int>(p.port());
  if (!p.command().empty())
    t.command.assign(p.command().begin(), p.command().end());
  for (const std::string& e : p.env()) t.env.push_back(e);
  if (!p.include().empty())
    t.include.assign(p.include().begin(), p.include().end());
  if (t.kind == DeployTarget::Kind::kKubernetes && t.blue_green) {
    return absl::InvalidArgumentError(
        "Kubernetes targets roll out with the Deployment's own strategy; "
        "blue-green is for host targets");
  }
  if (t.blue_green && t.port == 0) {
    return absl::InvalidArgumentError(
        "a blue-green deployment needs a port (the slots use port and port+1)");
  }
  return t;
}

}  // namespace dso
