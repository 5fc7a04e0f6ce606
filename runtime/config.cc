#include "runtime/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
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

// Reads map[key] into *out when the key is present; `name` is the key's
// full name for messages (e.g. "retention.max_runs").
template <typename T>
absl::Status Optional(const YAML::Node& map, const char* key,
                      const std::string& source, const std::string& name,
                      const char* what, T* out) {
  if (!map[key]) return absl::OkStatus();
  ASSIGN_OR_RETURN(*out, Scalar<T>(map[key], source, name, what));
  return absl::OkStatus();
}

absl::Status CheckKeys(const YAML::Node& map,
                       const std::set<std::string>& known,
                       const std::string& source, const std::string& where) {
  for (const auto& kv : map) {
    ASSIGN_OR_RETURN(
        std::string key,
        Scalar<std::string>(kv.first, source, where + "<key>", "a plain name"));
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
  RETURN_IF_ERROR(CheckKeys(root,
                            {"listen",
                             "data_dir",
                             "cache_dir",
                             "db_dir",
                             "allowed_roots",
                             "store_roots",
                             "labels",
                             "max_concurrent_runs",
                             "default_deadline",
                             "max_deadline",
                             "kill_grace",
                             "shutdown_grace",
                             "retention",
                             "max_message_bytes",
                             "max_blob_bytes",
                             "tls",
                             "insecure_tcp",
                             "metrics_listen",
                             "socket_mode",
                             "permissions",
                             "loading_allowlist",
                             "deploy_targets",
                             "credentials",
                             "read_limits",
                             "input_handles"},
                            source, ""));
  if (root["listen"]) {
    ASSIGN_OR_RETURN(c.listen, StringList(root["listen"], source, "listen"));
  }
  RETURN_IF_ERROR(
      Optional(root, "data_dir", source, "data_dir", "a path", &c.data_dir));
  RETURN_IF_ERROR(
      Optional(root, "cache_dir", source, "cache_dir", "a path", &c.cache_dir));
  RETURN_IF_ERROR(
      Optional(root, "db_dir", source, "db_dir", "a path", &c.db_dir));
  RETURN_IF_ERROR(Optional(root, "loading_allowlist", source,
                           "loading_allowlist", "a path",
                           &c.loading_allowlist));
  if (root["deploy_targets"]) {
    c.deploy_targets_yaml = YAML::Dump(root["deploy_targets"]);
  }
  for (auto [key, field] : {std::pair{"allowed_roots", &c.allowed_roots},
                            std::pair{"store_roots", &c.store_roots}}) {
    if (!root[key]) continue;
    ASSIGN_OR_RETURN(*field, StringList(root[key], source, key));
    for (const auto& r : *field) {
      if (r.empty() || r[0] != '/') {
        return Bad(source, key,
                   absl::StrCat("entry '", r, "' must be an absolute path"));
      }
    }
  }
  if (const auto& creds = root["credentials"]) {
    if (!creds.IsSequence()) {
      return Bad(source, "credentials",
                 "must be a list of {to: [destinations], env: [variables]}");
    }
    for (size_t i = 0; i < creds.size(); ++i) {
      std::string where = absl::StrCat("credentials[", i, "]");
      if (!creds[i].IsMap()) return Bad(source, where, "must be a mapping");
      RETURN_IF_ERROR(CheckKeys(creds[i], {"to", "env"}, source, where + "."));
      CredentialBinding b;
      if (creds[i]["to"]) {
        ASSIGN_OR_RETURN(b.to,
                         StringList(creds[i]["to"], source, where + ".to"));
      }
      if (creds[i]["env"]) {
        ASSIGN_OR_RETURN(b.env,
                         StringList(creds[i]["env"], source, where + ".env"));
      }
      RETURN_IF_ERROR(
          CheckCredentialBinding(b, absl::StrCat(source, ": ", where)));
      c.credentials.push_back(std::move(b));
    }
  }
  if (const auto& r = root["read_limits"]) {
    if (!r.IsMap()) return Bad(source, "read_limits", "must be a mapping");
    RETURN_IF_ERROR(
        CheckKeys(r, {"key", "config", "manifest", "document", "report"},
                  source, "read_limits."));
    FileReadLimits& l = c.read_limits;
    for (auto [key, field] :
         {std::pair{"key", &l.key}, std::pair{"config", &l.config},
          std::pair{"manifest", &l.manifest},
          std::pair{"document", &l.document}, std::pair{"report", &l.report}}) {
      std::string name = absl::StrCat("read_limits.", key);
      RETURN_IF_ERROR(
          Optional(r, key, source, name, "a whole number of bytes", field));
      if (*field == 0) return Bad(source, name, "must be at least 1 byte");
    }
  }
  if (root["labels"]) {
    if (!root["labels"].IsMap()) {
      return Bad(source, "labels", "must be a mapping of name: value");
    }
    for (const auto& kv : root["labels"]) {
      ASSIGN_OR_RETURN(std::string name,
                       Scalar<std::string>(kv.first, source, "labels",
                                           "a mapping of name: value"));
      ASSIGN_OR_RETURN(c.labels[name],
                       Scalar<std::string>(kv.second, source, "labels." + name,
                                           "a plain value"));
    }
  }
  if (const auto& p = root["permissions"]) {
    if (!p.IsMap()) {
      return Bad(source, "permissions",
                 "must map identities to lists of steps, e.g. "
                 "{jenkins-release: [\"*\"]}");
    }
    for (const auto& kv : p) {
      ASSIGN_OR_RETURN(std::string who,
                       Scalar<std::string>(kv.first, source, "permissions",
                                           "a mapping of identity: [steps]"));
      ASSIGN_OR_RETURN(c.permissions[who],
                       StringList(kv.second, source, "permissions." + who));
    }
  }
  RETURN_IF_ERROR(Optional(root, "max_concurrent_runs", source,
                           "max_concurrent_runs", "a whole number",
                           &c.max_concurrent_runs));
  if (c.max_concurrent_runs < 1) {
    return Bad(source, "max_concurrent_runs", "must be at least 1");
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
    RETURN_IF_ERROR(CheckKeys(r, {"max_age", "max_runs", "max_store_bytes"},
                              source, "retention."));
    if (r["max_age"]) {
      ASSIGN_OR_RETURN(c.retention_max_age,
                       DurationKey(r["max_age"], source, "retention.max_age"));
    }
    RETURN_IF_ERROR(Optional(r, "max_runs", source, "retention.max_runs",
                             "a whole number", &c.retention_max_runs));
    RETURN_IF_ERROR(Optional(r, "max_store_bytes", source,
                             "retention.max_store_bytes", "a whole number",
                             &c.retention_max_store_bytes));
  }
  RETURN_IF_ERROR(Optional(root, "max_message_bytes", source,
                           "max_message_bytes", "a whole number",
                           &c.max_message_bytes));
  RETURN_IF_ERROR(Optional(root, "max_blob_bytes", source, "max_blob_bytes",
                           "a whole number", &c.max_blob_bytes));
  if (const auto& t = root["tls"]) {
    if (!t.IsMap()) return Bad(source, "tls", "must be a mapping");
    RETURN_IF_ERROR(CheckKeys(t, {"cert", "key", "client_ca"}, source, "tls."));
    RETURN_IF_ERROR(
        Optional(t, "cert", source, "tls.cert", "a path", &c.tls.cert));
    RETURN_IF_ERROR(
        Optional(t, "key", source, "tls.key", "a path", &c.tls.key));
    RETURN_IF_ERROR(Optional(t, "client_ca", source, "tls.client_ca", "a path",
                             &c.tls.client_ca));
    if (c.tls.cert.empty() || c.tls.key.empty() || c.tls.client_ca.empty()) {
      return Bad(source, "tls",
                 "needs cert, key and client_ca (mutual TLS is mandatory)");
    }
  }
  RETURN_IF_ERROR(Optional(root, "insecure_tcp", source, "insecure_tcp",
                           "true or false", &c.insecure_tcp));
  RETURN_IF_ERROR(Optional(root, "input_handles", source, "input_handles",
                           "true or false", &c.input_handles));
  RETURN_IF_ERROR(Optional(root, "metrics_listen", source, "metrics_listen",
                           "host:port", &c.metrics_listen));
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
  auto text = ReadFile(path, FileKind::kConfig);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read config file: ", text.status().message()));
  }
  return ParseAgentConfig(*text, path);
}

void ApplyEnvironmentOverrides(AgentConfig& config) {
  for (auto [name, field] : {std::pair{"DSO_CACHE_DIR", &config.cache_dir},
                             std::pair{"DSO_DB_DIR", &config.db_dir}}) {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') {
      *field = v;
    }
  }
}

}  // namespace dso
