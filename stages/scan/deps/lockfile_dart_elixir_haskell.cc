// Line-based lockfiles of three smaller ecosystems:
//   - pubspec.lock (Pub): `packages:`, each package's name at two spaces,
//     its `source:` and `version:` at four; hosted packages are matched,
//     git, path and sdk ones noted;
//   - mix.lock (Hex): one `"name": {:hex, :package, "version", ...}` line
//     per dependency; `{:git, url, ...}` ones noted;
//   - cabal.project.freeze (Hackage): `constraints:` lists of
//     `any.NAME ==VERSION`; flag and `installed` constraints carry no
//     version;
//   - stack.yaml.lock (Hackage): each `hackage: NAME-VERSION@sha256:...`
//     of a package's `completed:` entry; git and URL packages noted.
// A line that cannot be read is a warning; the rest of the file is kept.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/internal/yaml_lines.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
absl::Status ParsePubspecLock(absl::string_view text, const std::string& file,
                              Inventory* out) {
  bool in_packages = false;
  struct Pending {
    std::string name, source, version;
    uint32_t line = 0;
  } pending;
  auto flush = [&] {
    if (pending.name.empty()) return;
    std::string where =
        absl::StrCat(file, ":", pending.line, ": '", pending.name, "'");
    if (pending.source == "hosted" && !pending.version.empty()) {
      out->packages.push_back(
          {"Pub", pending.name, pending.version, file, pending.line});
    } else if (pending.source == "hosted") {
      out->Warn(absl::StrCat(where, " has no version"));
    } else if (pending.source != "sdk") {  // the SDK's own packages
      out->FromSource(
          "Pub", pending.name,
          absl::StrCat(
              "a ",
              pending.source.empty() ? std::string("missing") : pending.source,
              " source"),
          file, pending.line);
    }
    pending = {};
  };
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || content[0] == '#') continue;
    size_t indent = Indent(line);
    if (indent == 0) {
      flush();
      in_packages = content == "packages:";
      continue;
    }
    if (!in_packages) continue;
    if (indent == 2) {
      flush();
      if (!absl::EndsWith(content, ":")) {
        out->Warn(absl::StrCat(file, ":", lineno, ": expected a package name"));
        continue;
      }
      pending.name =
          std::string(Unquote(content.substr(0, content.size() - 1)));
      pending.line = lineno;
    } else if (indent == 4 && !pending.name.empty()) {
      if (absl::ConsumePrefix(&content, "source:")) {
        pending.source = std::string(Unquote(content));
      } else if (absl::ConsumePrefix(&content, "version:")) {
        pending.version = std::string(Unquote(content));
      }
    }
  }
  flush();
  return absl::OkStatus();
}

absl::Status ParseMixLock(absl::string_view text, const std::string& file,
                          Inventory* out) {
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    line = absl::StripAsciiWhitespace(line);
    // "name": {:hex, :package, "version", "hash", [:mix], [...], "hexpm", ...},
    size_t brace = line.find(": {:");
    if (!absl::StartsWith(line, "\"") || brace == absl::string_view::npos) {
      continue;  // "%{" and "}" lines
    }
    absl::string_view key = Unquote(line.substr(0, brace));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line.substr(brace + 3), ',');
    absl::string_view kind = absl::StripAsciiWhitespace(fields[0]);
    std::string where = absl::StrCat(file, ":", lineno, ": '", key, "'");
    if (kind != ":hex") {
      out->FromSource(
          "Hex", std::string(key),
          absl::StrCat(
              absl::StripPrefix(kind, ":"),
              fields.size() > 1 ? absl::StrCat(" ", Unquote(fields[1])) : ""),
          file, lineno);
      continue;
    }
    if (fields.size() < 3) {
      out->Warn(absl::StrCat(where, ": no version"));
      continue;
    }
    absl::string_view package = absl::StripAsciiWhitespace(fields[1]);
    absl::ConsumePrefix(&package, ":");
    package = Unquote(package);  // :"name-with-dash"
    absl::string_view version = Unquote(fields[2]);
    if (package.empty() || version.empty()) {
      out->Warn(absl::StrCat(where, ": no package or version"));
      continue;
    }
    out->packages.push_back(
        {"Hex", std::string(package), std::string(version), file, lineno});
  }
  return absl::OkStatus();
}

absl::Status ParseCabalFreeze(absl::string_view text, const std::string& file,
                              Inventory* out) {
  bool in_constraints = false;
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || absl::StartsWith(content, "--")) continue;
    if (Indent(line) == 0) {
      in_constraints = absl::ConsumePrefix(&content, "constraints:");
      if (!in_constraints) continue;
    } else if (!in_constraints) {
      continue;
    }
    for (absl::string_view c :
         absl::StrSplit(content, ',', absl::SkipWhitespace())) {
      c = absl::StripAsciiWhitespace(c);
      size_t eq = c.find("==");
      if (eq == absl::string_view::npos) continue;  // flags, installed
      absl::string_view name = absl::StripAsciiWhitespace(c.substr(0, eq));
      absl::ConsumePrefix(&name, "any.");
      absl::string_view version = absl::StripAsciiWhitespace(c.substr(eq + 2));
      if (name.empty() || version.empty()) {
        out->Warn(absl::StrCat(file, ":", lineno, ": '", c,
                               "' is not NAME ==VERSION"));
        continue;
      }
      out->packages.push_back(
          {"Hackage", std::string(name), std::string(version), file, lineno});
    }
  }
  return absl::OkStatus();
}

absl::Status ParseStackYamlLock(absl::string_view text, const std::string& file,
                                Inventory* out) {
  bool in_packages = false, completed = false;
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    absl::string_view content = absl::StripAsciiWhitespace(line);
    if (content.empty() || content[0] == '#') continue;
    if (Indent(line) == 0 && content[0] != '-') {
      in_packages = content == "packages:";
      continue;
    }
    if (!in_packages) continue;
    absl::ConsumePrefix(&content, "- ");
    content = absl::StripLeadingAsciiWhitespace(content);
    if (absl::StartsWith(content, "completed:")) {
      completed = true;
      continue;
    }
    if (absl::StartsWith(content, "original:")) {
      completed = false;
      continue;
    }
    if (!completed) continue;
    if (absl::ConsumePrefix(&content, "hackage:")) {
      // NAME-VERSION@sha256:HASH,SIZE; NAME may hold '-', VERSION not.
      absl::string_view id = Unquote(content);
      id = id.substr(0, id.find('@'));
      size_t dash = id.rfind('-');
      if (dash == absl::string_view::npos || dash == 0 ||
          dash + 1 == id.size()) {
        out->Warn(absl::StrCat(file, ":", lineno, ": '", id,
                               "' is not NAME-VERSION"));
        continue;
      }
      out->packages.push_back({"Hackage", std::string(id.substr(0, dash)),
                               std::string(id.substr(dash + 1)), file, lineno});
    } else if (absl::ConsumePrefix(&content, "git:") ||
               absl::ConsumePrefix(&content, "url:")) {
      out->Note(absl::StrCat(file, ":", lineno, ": a package from ",
                             Unquote(content), "; not matched"));
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
