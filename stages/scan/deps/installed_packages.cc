// Packages installed in a file system (an image's), from the metadata the
// package managers leave beside them: npm's node_modules/NAME/package.json
// (and @scope/NAME), Python's *.dist-info/METADATA and *.egg-info/PKG-INFO.
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/scan/deps/inventory.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseInstalledPackageJson(absl::string_view text,
                                       const std::string& file,
                                       Inventory* out) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": not JSON"));
  }
  auto name = j.find("name"), version = j.find("version");
  if (name == j.end() || version == j.end() || !name->is_string() ||
      !version->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": no name and version"));
  }
  out->packages.push_back(
      {"npm", name->get<std::string>(), version->get<std::string>(), file, 0});
  return absl::OkStatus();
}

absl::Status ParsePythonMetadata(absl::string_view text,
                                 const std::string& file, Inventory* out) {
  std::string name, version;
  uint32_t line_no = 0, name_line = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripSuffix(line, "\r");
    if (line.empty()) break;  // the headers end; the description follows
    if (absl::ConsumePrefix(&line, "Name:")) {
      name = std::string(absl::StripAsciiWhitespace(line));
      name_line = line_no;
    } else if (absl::ConsumePrefix(&line, "Version:")) {
      version = std::string(absl::StripAsciiWhitespace(line));
    }
  }
  if (name.empty() || version.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": no Name and Version headers"));
  }
  out->packages.push_back({"PyPI", name, version, file, name_line});
  return absl::OkStatus();
}

LockfileParser InstalledParserFor(const std::string& path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  size_t n = parts.size();
  if (n >= 3 && parts[n - 1] == "package.json") {
    if (parts[n - 3] == "node_modules" &&
        !absl::StartsWith(parts[n - 2], "@")) {
      return ParseInstalledPackageJson;
    }
    if (n >= 4 && parts[n - 4] == "node_modules" &&
        absl::StartsWith(parts[n - 3], "@")) {
      return ParseInstalledPackageJson;
    }
  }
  if (n >= 2 && ((parts[n - 1] == "METADATA" &&
                  absl::EndsWith(parts[n - 2], ".dist-info")) ||
                 (parts[n - 1] == "PKG-INFO" &&
                  absl::EndsWith(parts[n - 2], ".egg-info")))) {
    return ParsePythonMetadata;
  }
  return nullptr;
}

}  // namespace dso
