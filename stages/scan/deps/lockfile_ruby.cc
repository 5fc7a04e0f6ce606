// RubyGems packages from Bundler's Gemfile.lock: the `specs:` of each GEM
// section, `    name (version[-platform])` at four spaces. Gems from GIT
// and PATH sections are noted, not matched: they are not the published gem.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseGemfileLock(absl::string_view text, const std::string& file,
                              Inventory* out) {
  absl::string_view section;
  bool in_specs = false, saw_section = false;
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty()) continue;
    if (line[0] != ' ') {  // GEM, GIT, PATH, PLATFORMS, DEPENDENCIES, ...
      section = line;
      saw_section = true;
      in_specs = false;
      continue;
    }
    if (line == "  specs:") {
      in_specs = true;
      continue;
    }
    // A spec is at exactly four spaces; its dependencies are at six.
    if (!in_specs || !absl::StartsWith(line, "    ") || line.size() < 5 ||
        line[4] == ' ') {
      continue;
    }
    absl::string_view spec = line.substr(4);
    size_t open = spec.find(" (");
    if (open == absl::string_view::npos || !absl::EndsWith(spec, ")")) {
      out->Warn(absl::StrCat(file, ":", lineno, ": '", spec.substr(0, 200),
                             "' is not 'name (version)'"));
      continue;
    }
    std::string name(spec.substr(0, open));
    absl::string_view version = spec.substr(open + 2, spec.size() - open - 3);
    // Bundler writes a platform after the version: 1.13.10-x86_64-linux.
    version = version.substr(0, version.find('-'));
    if (section != "GEM") {
      out->FromSource("RubyGems", name, absl::StrCat("a ", section, " source"),
                      file, lineno);
      continue;
    }
    out->packages.push_back(
        {"RubyGems", std::move(name), std::string(version), file, lineno});
  }
  if (!saw_section && !absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": no GEM, GIT or PATH section; not a Gemfile.lock"));
  }
  return absl::OkStatus();
}

}  // namespace dso
