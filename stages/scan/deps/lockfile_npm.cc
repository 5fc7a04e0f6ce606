// npm packages from package-lock.json / npm-shrinkwrap.json: the
// `packages` map of lockfile versions 2 and 3, else version 1's nested
// `dependencies`; and from bun.lock (JSON with trailing commas: `packages`,
// each ["name@version", ...]). Links and non-registry versions (git, file,
// URLs) are noted, not matched; aliases are matched as the package they
// install; workspaces are the project's own.
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
    uint32_t line = LineOf(lines, key);
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

namespace {

// bun.lock's JSON with the trailing commas it writes taken out (outside
// strings), so that a strict parser reads it.
std::string WithoutTrailingCommas(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ',') {
      size_t next = text.find_first_not_of(" \t\r\n", i + 1);
      if (next != absl::string_view::npos &&
          (text[next] == '}' || text[next] == ']')) {
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

absl::Status ParseBunLock(absl::string_view text, const std::string& file,
                          Inventory* out) {
  auto parsed = ParseJson(WithoutTrailingCommas(text), file, 64);
  if (!parsed.ok()) return parsed.status();
  const Json& packages = MemberAt(*parsed, "packages");
  if (!packages.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": no packages"));
  }
  const auto lines = FirstLinesOfStrings(text);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [key, entry] : packages.items()) {
    // The line of its "name@version", which appears once.
    const bool has_spec =
        entry.is_array() && !entry.empty() && entry[0].is_string();
    uint32_t line = LineOf(lines, has_spec ? entry[0].get<std::string>() : key);
    std::string where = absl::StrCat(file, ":", line, ": '", key, "'");
    if (!has_spec) {
      out->warnings.push_back(
          absl::StrCat(where, " is not [\"name@version\", ...]"));
      continue;
    }
    std::string spec = entry[0].get<std::string>();
    size_t sep = spec.find('@', 1);
    if (sep == std::string::npos) {
      out->warnings.push_back(absl::StrCat(where, ": '", spec.substr(0, 200),
                                           "' is not name@version"));
      continue;
    }
    std::string name = spec.substr(0, sep), version = spec.substr(sep + 1);
    if (absl::StartsWith(version, "workspace:")) continue;  // the project
    if (absl::StrContains(version, ":")) {  // github:, git+, file:, link:
      out->notes.push_back(
          absl::StrCat(where, " comes from ", version, "; not matched"));
      continue;
    }
    if (name != key && !absl::EndsWith(key, "/" + name)) {
      out->notes.push_back(
          absl::StrCat(where, " is an alias of '", name, "'; matched as it"));
    }
    if (seen.insert({name, version}).second) {
      out->packages.push_back({"npm", name, version, file, line});
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
