#include "stages/store/store_allowlist.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/sha256.h"

namespace dso {

absl::StatusOr<StoreAllowlist> ParseStoreAllowlist(const std::string& text,
                                                   const std::string& source) {
  StoreAllowlist out;
  out.source = source;
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", why));
  };
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return bad(absl::StrCat("not YAML (line ", e.mark.line + 1, ")"));
  }
  if (!root.IsMap() && !root.IsNull()) return bad("expected a mapping");
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>("");
    if (key != "stores" && key != "artifacts") {
      return bad(
          absl::StrCat("unknown key '", key, "' (expected stores, artifacts)"));
    }
    if (!kv.second.IsSequence()) return bad(key + " must be a list");
  }
  for (const auto& s : root["stores"]) {
    if (!s.IsScalar() || s.as<std::string>().find("://") == std::string::npos) {
      return bad("stores: each entry is a URL prefix such as s3://bucket/");
    }
    out.stores.push_back(s.as<std::string>());
  }
  size_t i = 0;
  for (const auto& a : root["artifacts"]) {
    ++i;
    if (!a.IsMap() || !a["digest"] ||
        !ParseSha256Digest(a["digest"].as<std::string>("")).ok()) {
      return bad(
          absl::StrCat("artifacts[", i, "] needs a digest sha256:<64 hex>"));
    }
    out.artifacts.push_back({a["name"] ? a["name"].as<std::string>("") : "",
                             a["digest"].as<std::string>()});
  }
  return out;
}

absl::Status StoreAllowlist::CheckStore(const std::string& url) const {
  if (stores.empty()) return absl::OkStatus();
  for (const std::string& prefix : stores) {
    if (absl::StartsWith(url, prefix)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("'", url, "' is not in a store the allowlist ", source,
                   " permits loading from"));
}

absl::Status StoreAllowlist::CheckArtifact(const std::string& url,
                                           const std::string& digest) const {
  if (artifacts.empty()) return absl::OkStatus();
  std::string name = url.substr(url.rfind('/') + 1);
  for (const Artifact& a : artifacts) {
    if (a.digest == digest && (a.name.empty() || a.name == name)) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "'", url, "' (", digest, ") is not an artifact the allowlist ", source,
      " permits; nothing was written"));
}

}  // namespace dso
