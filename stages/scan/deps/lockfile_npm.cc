// npm packages from package-lock.json / npm-shrinkwrap.json: the
// `packages` map of lockfile versions 2 and 3, else version 1's nested
// `dependencies`. Links and non-registry versions (git, file, URLs) are
// noted, not matched; aliases are matched as the package they install.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using Json = nlohmann::json;

struct NpmReader {
  const absl::flat_hash_map<std::string, uint32_t>& lines;
  const std::string& file;
  Inventory* out;
  std::set<std::pair<std::string, std::string>> seen;

  void Add(const std::string& name, const Json& entry, const std::string& key) {
    if (!entry.is_object()) return;
    if (MemberAt(entry, "link") == true) return;
    auto v = entry.find("version");
    if (v == entry.end() || !v->is_string()) return;
    std::string version = v->get<std::string>();
    auto at = lines.find(key);
    uint32_t line = at == lines.end() ? 0 : at->second;
    std::string real = name;
    // Version 1's alias: "my-lodash": {"version": "npm:lodash@4.17.20"}.
    if (absl::StartsWith(version, "npm:")) {
      size_t v = version.find('@', 5);
      if (v != std::string::npos) {
        real = version.substr(4, v - 4);
        version = version.substr(v + 1);
        out->notes.push_back(absl::StrCat(file, ":", line, ": '", name,
                                          "' is an alias of '", real,
                                          "'; matched as it"));
      }
    }
    if (absl::StrContains(version, ":")) {  // git+https:, file:, https:
      out->notes.push_back(absl::StrCat(file, ":", line, ": '", name,
                                        "' comes from ", version,
                                        "; not matched"));
      return;
    }
    if (seen.insert({real, version}).second) {
      out->packages.push_back({"npm", real, version, file, line});
    }
  }

  void V1(const Json& deps, int depth) {
    if (!deps.is_object() || depth > 64) return;
    for (const auto& [name, entry] : deps.items()) {
      Add(name, entry, name);
      if (entry.is_object() && entry.contains("dependencies")) {
        V1(entry["dependencies"], depth + 1);
      }
    }
  }
};

}  // namespace

absl::Status ParsePackageLockJson(absl::string_view text,
                                  const std::string& file, Inventory* out) {
  auto parsed = ParseJson(text, file, 128);
  if (!parsed.ok()) return parsed.status();
  const Json& j = *parsed;
  if (!j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": not an object"));
  }
  const auto lines = FirstLinesOfStrings(text);
  NpmReader r{lines, file, out, {}};
  if (auto packages = j.find("packages");
      packages != j.end() && packages->is_object()) {
    for (const auto& [key, entry] : packages->items()) {
      if (key.empty()) continue;  // the project itself
      size_t nm = key.rfind("node_modules/");
      std::string name = entry.is_object() && entry.contains("name") &&
                                 entry["name"].is_string()
                             ? entry["name"].get<std::string>()
                         : nm == std::string::npos ? key
                                                   : key.substr(nm + 13);
      if (nm == std::string::npos) continue;  // a workspace folder
      r.Add(name, entry, key);
    }
    return absl::OkStatus();
  }
  if (auto deps = j.find("dependencies"); deps != j.end()) r.V1(*deps, 0);
  return absl::OkStatus();
}

}  // namespace dso
