// Packagist packages from composer.lock: `packages` and `packages-dev`,
// each `{name, version}`. Branch versions (`dev-main`, `1.x-dev`) are noted,
// not matched.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseComposerLock(absl::string_view text, const std::string& file,
                               Inventory* out) {
  auto parsed = ParseJson(text, file, 64);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": not an object"));
  }
  const auto lines = FirstLinesOfStrings(text);
  for (const char* key : {"packages", "packages-dev"}) {
    auto list = parsed->find(key);
    if (list == parsed->end()) continue;
    if (!list->is_array()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": '", key, "' is not an array"));
    }
    for (const auto& p : *list) {
      if (!p.is_object() || !p.contains("name") || !p["name"].is_string() ||
          !p.contains("version") || !p["version"].is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": an entry of '", key, "' lacks a string name or version"));
      }
      std::string name = p["name"].get<std::string>();
      std::string version = p["version"].get<std::string>();
      uint32_t line = LineOf(lines, name);
      if (absl::StartsWith(version, "dev-") ||
          absl::EndsWith(version, "-dev")) {
        out->Note(absl::StrCat(file, ":", line, ": '", name, "' is at branch ",
                               version, "; not matched"));
        continue;
      }
      out->packages.push_back({"Packagist", name, version, file, line});
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
