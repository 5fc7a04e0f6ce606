// Lockfiles that are TOML arrays of [[package]] tables with a name and a
// version: poetry.lock and uv.lock (PyPI), Cargo.lock (crates.io).
#include <toml++/toml.h>

#include "absl/strings/str_cat.h"
#include "stages/core/toml_guard.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

absl::Status ParseTomlPackages(absl::string_view text, const std::string& file,
                               const std::string& ecosystem, Inventory* out) {
  absl::StatusOr<std::string> safe = TomlForParser(text, file);
  if (!safe.ok()) return safe.status();
  toml::table doc;
  try {
    doc = toml::parse(std::string_view(*safe), file);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", static_cast<uint32_t>(e.source().begin.line),
                     ": not TOML: ", std::string(e.description())));
  }
  const toml::array* packages = doc["package"].as_array();
  if (!packages) return absl::OkStatus();
  Inventory found;
  for (const toml::node& node : *packages) {
    const toml::table* t = node.as_table();
    // The line of its [[package]] header.
    uint32_t line = static_cast<uint32_t>(node.source().begin.line);
    auto name = t ? (*t)["name"].value<std::string>() : std::nullopt;
    auto version = t ? (*t)["version"].value<std::string>() : std::nullopt;
    if (!name || !version) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ":", line, ": a [[package]] needs a name and a version"));
    }
    // uv.lock lists the project itself, from its directory: not a
    // package of an index.
    if (t->contains("source")) {
      if (const toml::table* src = (*t)["source"].as_table();
          src && (src->contains("editable") || src->contains("virtual") ||
                  src->contains("directory") || src->contains("path"))) {
        continue;
      }
    }
    found.packages.push_back({ecosystem, *name, *version, file, line});
  }
  for (auto& p : found.packages) out->packages.push_back(std::move(p));
  return absl::OkStatus();
}

}  // namespace

absl::Status ParsePoetryLock(absl::string_view text, const std::string& file,
                             Inventory* out) {
  return ParseTomlPackages(text, file, "PyPI", out);
}

absl::Status ParseUvLock(absl::string_view text, const std::string& file,
                         Inventory* out) {
  return ParseTomlPackages(text, file, "PyPI", out);
}

absl::Status ParseCargoLock(absl::string_view text, const std::string& file,
                            Inventory* out) {
  return ParseTomlPackages(text, file, "crates.io", out);
}

}  // namespace dso
