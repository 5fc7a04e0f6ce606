// NuGet packages from packages.lock.json: every target framework's
// `dependencies`, `{"Name": {"type", "resolved"}}`; project references
// (type "Project") are the solution's own code and are skipped. A package
// resolved alike for several frameworks is listed once.
#include <set>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseNuGetLock(absl::string_view text, const std::string& file,
                            Inventory* out) {
  auto parsed = ParseJson(text, file, 64);
  if (!parsed.ok()) return parsed.status();
  auto deps =
      parsed->is_object() ? parsed->find("dependencies") : parsed->end();
  if (!parsed->is_object() || deps == parsed->end() || !deps->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": no 'dependencies' object"));
  }
  const auto lines = FirstLinesOfStrings(text);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [framework, packages] : deps->items()) {
    if (!packages.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": dependencies of '", framework, "' are not an object"));
    }
    for (const auto& [name, entry] : packages.items()) {
      if (!entry.is_object()) continue;
      if (StringAt(entry, "type") == "Project") continue;
      auto resolved = entry.find("resolved");
      if (resolved == entry.end() || !resolved->is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ": '", name, "' (", framework, ") has no resolved version"));
      }
      std::string version = resolved->get<std::string>();
      if (!seen.insert({name, version}).second) continue;
      out->packages.push_back(
          {"NuGet", name, version, file, LineOf(lines, name)});
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
