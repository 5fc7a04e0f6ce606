#include "agent/config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/atomic_file.h"
#include "stages/core/status_macros.h"

namespace dso {

namespace {

absl::Status Bad(const std::string& source, const std::string& key,
                 const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ": '", key, "' ", why));
}

template <typename T>
absl::StatusOr<T> Scalar(const YAML::Node& n, const std::string& source,
                         const std::string& key, const char* what) {
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    return Bad(source, key, absl::StrCat("must be ", what));
  }
}

absl::Status CheckKeys(const YAML::Node& map,
                       const std::set<std::string>& known,
                       const std::string& source, const std::string& where) {
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    if (!known.count(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": unknown key '", where, key,
                       "'; known keys: ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> StringList(const YAML::Node& n,
                                                    const std::string& source,
                                                    const std::string& key) {
  if (n.IsScalar()) return std::vector<std::string>{n.as<std::string>()};
  if (!n.IsSequence()) return Bad(source, key, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : n) {
    ASSIGN_OR_RETURN(std::string s, Scalar<std::string>(item, source, key,
                                                        "a list of strings"));
    out.push_back(s);
  }
  return out;
}

absl::StatusOr<absl::Duration> DurationKey(const YAML::Node& n,
                                           const std::string& source,
                                           const std::string& key) {
  ASSIGN_OR_RETURN(std::string s,
                   Scalar<std::string>(n, source, key, "a duration"));
  auto d = ParseConfigDuration(s);
  if (!d.ok()) return Bad(source, key, std::string(d.status().message()));
  return *d;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseConfigDuration(const std::string& text) {
  int64_t secs;
  if (absl::SimpleAtoi(text, &secs)) {
    if (secs < 0) return absl::InvalidArgumentError("must not be negative");
    return absl::Seconds(secs);
  }
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a duration such as 90s, 15m or 1h30m"));
  }
  return d;
}

absl::StatusOr<AgentConfig> ParseAgentConfig(const std::string& yaml,
                                             const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not valid YAML: ", e.what()));
  }
  AgentConfig c;
  if (root.IsNull()) return c;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": must be a YAML mapping of settings"));
  }
  RETURN_IF_ERROR(CheckKeys(
      root,
      {"listen", "data_dir", "allowed_roots", "labels", "max_concurrent_runs",
       "default_deadline", "max_deadline", "kill_grace", "shutdown_grace",
       "retention", "max_message_bytes", "max_blob_bytes", "tls",
       "insecure_tcp", "metrics_listen", "socket_mode", "permissions"},
      source, ""));
  if (root["listen"]) {
    ASSIGN_OR_RETURN(c.listen, StringList(root["listen"], source, "listen"));
  }
  if (root["data_dir"]) {
    ASSIGN_OR_RETURN(c.data_dir, Scalar<std::string>(root["data_dir"], source,
                                                     "data_dir", "a path"));
  }
  if (root["allowed_roots"]) {
    ASSIGN_OR_RETURN(c.allowed_roots, StringList(root["allowed_roots"], source,
                                                 "allowed_roots"));
    for (const auto& r : c.allowed_roots) {
      if (r.empty() || r[0] != '/') {
        return Bad(source, "allowed_roots",
                   absl::StrCat("entry '", r, "' must be an absolute path"));
      }
    }
  }
  if (root["labels"]) {
    if (!root["labels"].IsMap()) {
      return Bad(source, "labels", "must be a mapping of name: value");
    }
    for (const auto& kv : root["labels"]) {
      c.labels[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
  }
  if (const auto& p = root["permissions"]) {
    if (!p.IsMap()) {
      return Bad(source, "permissions",
                 "must map identities to lists of steps, e.g. "
                 "{jenkins-release: [\"*\"]}");
    }
    for (const auto& kv : p) {
      std::string who = kv.first.as<std::string>();
      ASSIGN_OR_RETURN(c.permissions[who],
                       StringList(kv.second, source, "permissions." + who));
    }
  }
  if (root["max_concurrent_runs"]) {
    ASSIGN_OR_RETURN(c.max_concurrent_runs,
                     Scalar<int>(root["max_concurrent_runs"], source,
                                 "max_concurrent_runs", "a whole number"));
    if (c.max_concurrent_runs < 1) {
      return Bad(source, "max_concurrent_runs", "must be at least 1");
    }
  }
  for (auto [key, field] : {std::pair{"default_deadline", &c.default_deadline},
                            std::pair{"max_deadline", &c.max_deadline},
                            std::pair{"kill_grace", &c.kill_grace},
                            std::pair{"shutdown_grace", &c.shutdown_grace}}) {
    if (root[key]) {
      ASSIGN_OR_RETURN(*field, DurationKey(root[key], source, key));
    }
  }
  if (c.default_deadline > c.max_deadline) c.default_deadline = c.max_deadline;
  if (const auto& r = root["retention"]) {
    if (!r.IsMap()) return Bad(source, "retention", "must be a mapping");
    RETURN_IF_ERROR(
        CheckKeys(r, {"max_age", "max_runs"}, source, "retention."));
    if (r["max_age"]) {
      ASSIGN_OR_RETURN(c.retention_max_age,
                       DurationKey(r["max_age"], source, "retention.max_age"));
    }
    if (r["max_runs"]) {
      ASSIGN_OR_RETURN(c.retention_max_runs,
                       Scalar<int>(r["max_runs"], source, "retention.max_runs",
                                   "a whole number"));
    }
  }
  if (root["max_message_bytes"]) {
    ASSIGN_OR_RETURN(c.max_message_bytes,
                     Scalar<int>(root["max_message_bytes"], source,
                                 "max_message_bytes", "a whole number"));
  }
  if (root["max_blob_bytes"]) {
    ASSIGN_OR_RETURN(c.max_blob_bytes,
                     Scalar<uint64_t>(root["max_blob_bytes"], source,
                                      "max_blob_bytes", "a whole number"));
  }
  if (const auto& t = root["tls"]) {
    if (!t.IsMap()) return Bad(source, "tls", "must be a mapping");
    RETURN_IF_ERROR(CheckKeys(t, {"cert", "key", "client_ca"}, source, "tls."));
    c.tls.cert = t["cert"] ? t["cert"].as<std::string>() : "";
    c.tls.key = t["key"] ? t["key"].as<std::string>() : "";
    c.tls.client_ca = t["client_ca"] ? t["client_ca"].as<std::string>() : "";
    if (c.tls.cert.empty() || c.tls.key.empty() || c.tls.client_ca.empty()) {
      return Bad(source, "tls",
                 "needs cert, key and client_ca (mutual TLS is mandatory)");
    }
  }
  if (root["insecure_tcp"]) {
    ASSIGN_OR_RETURN(c.insecure_tcp,
                     Scalar<bool>(root["insecure_tcp"], source, "insecure_tcp",
                                  "true or false"));
  }
  if (root["metrics_listen"]) {
    ASSIGN_OR_RETURN(c.metrics_listen,
                     Scalar<std::string>(root["metrics_listen"], source,
                                         "metrics_listen", "host:port"));
  }
  if (root["socket_mode"]) {
    ASSIGN_OR_RETURN(std::string m,
                     Scalar<std::string>(root["socket_mode"], source,
                                         "socket_mode", "octal"));
    char* end = nullptr;
    unsigned long v = strtoul(m.c_str(), &end, 8);
    if (m.empty() || *end != '\0' || v > 0777) {
      return Bad(source, "socket_mode", "must be an octal mode such as 0660");
    }
    c.socket_mode = static_cast<unsigned>(v);
  }
  return c;
}

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read config file: ", text.status().message()));
  }
  return ParseAgentConfig(*text, path);
}

}  // namespace dso
