// Lockfiles that are TOML arrays of package tables with a name and a
// version: poetry.lock, uv.lock, pdm.lock and pylock.toml (PyPI),
// Cargo.lock (crates.io). A package from git, a URL or a path is listed with
// its source as a note, not matched; a project's own (uv's editable and
// virtual sources) is left out; a table without a name or a version is a
// warning and the others are kept.
#include <toml++/toml.h>

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/toml_guard.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

// A string value of `t`, or of the table at `t[key]`'s `field`.
std::optional<std::string> StringAt(const toml::table& t, const char* key,
                                    const char* field = nullptr) {
  if (field == nullptr) return t[key].value<std::string>();
  const toml::table* inner = t[key].as_table();
  return inner ? (*inner)[field].value<std::string>() : std::nullopt;
}

// Where a package comes from when that is not a package index: "" for an
// index (or unknown), "-" for the project itself (left out).
std::string NonIndexSource(const toml::table& t) {
  // uv: source = { editable|virtual|directory|path = "." } (the project or
  // a local one), { git = URL }, { url = URL }.
  if (const toml::table* src = t["source"].as_table()) {
    for (const char* local : {"editable", "virtual"}) {
      if (src->contains(local)) return "-";
    }
    // Poetry: [package.source] type = "git" | "directory" | "file" | "url"
    // ("legacy": a package index).
    if (auto type = StringAt(t, "source", "type")) {
      if (*type == "legacy") return "";
      return absl::StrCat(*type, " ",
                          StringAt(t, "source", "url").value_or(""));
    }
    for (const char* key : {"directory", "path", "git", "url"}) {
      if (auto v = StringAt(t, "source", key)) {
        return absl::StrCat(key, " ", *v);
      }
    }
  }
  // Cargo: source = "git+https://...#rev" (registries: "registry+...").
  if (auto src = StringAt(t, "source"); src && absl::StartsWith(*src, "git+")) {
    return *src;
  }
  // pdm: git = URL, path = "...", url = URL.
  for (const char* key : {"git", "path", "url"}) {
    if (auto v = StringAt(t, key)) return absl::StrCat(key, " ", *v);
  }
  // pylock.toml: vcs = { url }, directory = { path }, archive = { url }.
  for (auto [key, field] :
       {std::pair{"vcs", "url"}, {"directory", "path"}, {"archive", "url"}}) {
    if (t.contains(key)) {
      return absl::StrCat(key, " ", StringAt(t, key, field).value_or(""));
    }
  }
  return "";
}

// The package tables of the array `array` ("package", pylock's
// "packages").
absl::Status ParseTomlPackages(absl::string_view text, const std::string& file,
                               const std::string& ecosystem, const char* array,
                               Inventory* out) {
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
  const toml::array* packages = doc[array].as_array();
  if (!packages) return absl::OkStatus();
  for (const toml::node& node : *packages) {
    const toml::table* t = node.as_table();
    // The line of its [[package]] header.
    uint32_t line = static_cast<uint32_t>(node.source().begin.line);
    auto name = t ? (*t)["name"].value<std::string>() : std::nullopt;
    auto version = t ? (*t)["version"].value<std::string>() : std::nullopt;
    std::string source = t ? NonIndexSource(*t) : "";
    // Cargo writes no source for the workspace's crates and path
    // dependencies: local code, not a crates.io release.
    if (ecosystem == "crates.io" && t && !t->contains("source")) {
      source = "a local path (no source: the workspace or a path dependency)";
    }
    if (source == "-") continue;
    if (name && !source.empty()) {
      out->FromSource(ecosystem, *name, source, file, line);
      continue;
    }
    if (!name || !version) {
      out->Warn(absl::StrCat(file, ":", line, ": a [[", array,
                             "]] needs a name and a version"));
      continue;
    }
    out->packages.push_back({ecosystem, *name, *version, file, line});
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParsePoetryLock(absl::string_view text, const std::string& file,
                             Inventory* out) {
  return ParseTomlPackages(text, file, "PyPI", "package", out);
}

absl::Status ParseUvLock(absl::string_view text, const std::string& file,
                         Inventory* out) {
  return ParseTomlPackages(text, file, "PyPI", "package", out);
}

absl::Status ParseCargoLock(absl::string_view text, const std::string& file,
                            Inventory* out) {
  return ParseTomlPackages(text, file, "crates.io", "package", out);
}

absl::Status ParsePdmLock(absl::string_view text, const std::string& file,
                          Inventory* out) {
  return ParseTomlPackages(text, file, "PyPI", "package", out);
}

absl::Status ParsePylockToml(absl::string_view text, const std::string& file,
                             Inventory* out) {
  return ParseTomlPackages(text, file, "PyPI", "packages", out);
}

}  // namespace dso
