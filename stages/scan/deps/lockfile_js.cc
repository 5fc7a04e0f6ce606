// npm packages from yarn.lock (v1's own format and Berry's YAML, read line
// by line: an unindented `specifiers:` header, then its `version` line) and
// pnpm-lock.yaml (the keys of its `packages:` map, lockfile versions 5 to
// 9). Packages from workspaces, links, patches and local files are left
// out: only registry packages have advisories.
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

absl::string_view Unquote(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') &&
      s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

// "name@range" → name (a scope's leading '@' is part of the name).
absl::string_view NameOfSpec(absl::string_view spec) {
  size_t at = spec.rfind('@');
  if (at == 0 || at == absl::string_view::npos) return spec;
  absl::string_view name = spec.substr(0, at);
  // Berry: "name@npm:^1.0.0" → the '@' before "npm:".
  if (size_t npm = spec.find("@npm:", 1); npm != absl::string_view::npos) {
    name = spec.substr(0, npm);
  }
  return name;
}

struct Adder {
  const std::string& file;
  Inventory* out;
  std::set<std::pair<std::string, std::string>> seen;
  void Add(absl::string_view name, absl::string_view version, uint32_t line) {
    if (name.empty() || version.empty()) return;
    if (seen.insert({std::string(name), std::string(version)}).second) {
      out->packages.push_back(
          {"npm", std::string(name), std::string(version), file, line});
    }
  }
};

}  // namespace

absl::Status ParseYarnLock(absl::string_view text, const std::string& file,
                           Inventory* out) {
  const bool berry = absl::StrContains(text, "\n__metadata:");
  Adder adder{file, out, {}};
  std::string name;
  uint32_t header = 0, lineno = 0;
  bool local = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {  // an entry's header: "spec, spec:"
      if (!absl::EndsWith(line, ":")) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ":", lineno, ": expected an entry header ending in ':'"));
      }
      // v1 quotes each specifier, Berry the whole list.
      absl::string_view specs = Unquote(line.substr(0, line.size() - 1));
      absl::string_view first = Unquote(specs.substr(0, specs.find(',')));
      name = std::string(NameOfSpec(first));
      header = lineno;
      local =
          name == "__metadata" || (berry && !absl::StrContains(first, "@npm:"));
      continue;
    }
    absl::string_view field = absl::StripLeadingAsciiWhitespace(line);
    if (line.size() - field.size() != 2 || name.empty() || local) continue;
    if (absl::ConsumePrefix(&field, berry ? "version:" : "version ")) {
      adder.Add(name, Unquote(field), header);
    }
  }
  return absl::OkStatus();
}

absl::Status ParsePnpmLock(absl::string_view text, const std::string& file,
                           Inventory* out) {
  Adder adder{file, out, {}};
  bool in_packages = false;
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {
      in_packages = line == "packages:";
      continue;
    }
    // Entries are the keys indented by two spaces.
    if (!in_packages || line.size() < 3 || line[2] == ' ' ||
        !absl::EndsWith(line, ":")) {
      continue;
    }
    absl::string_view key = Unquote(line.substr(2, line.size() - 3));
    absl::ConsumePrefix(&key, "/");
    key = key.substr(0, key.find('('));  // v6+: peer dependencies
    // The name ends at the first '/' (v5: name/version) or '@' (v6+:
    // name@version) after its scope, if any.
    size_t from = 0;
    if (!key.empty() && key[0] == '@') {
      from = key.find('/');
      if (from == absl::string_view::npos) continue;
      ++from;
    }
    size_t end = key.find_first_of("/@", from);
    if (end == absl::string_view::npos) continue;
    absl::string_view name = key.substr(0, end);
    absl::string_view version = key.substr(end + 1);
    if (key[end] == '/') {
      version = version.substr(0, version.find('_'));  // v5 peer suffix
    }
    if (absl::StrContains(version, ":")) continue;  // link:, file:, ...
    adder.Add(name, version, lineno);
  }
  return absl::OkStatus();
}

}  // namespace dso
