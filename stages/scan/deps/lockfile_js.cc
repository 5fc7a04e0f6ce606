// npm packages from yarn.lock (v1's own format and Berry's YAML, read line
// by line: an unindented `specifiers:` header, then its `version` line;
// aliases resolved to the package they install, a bad header a warning) and
// pnpm-lock.yaml (the keys of its `packages:` map, lockfile versions 5 to
// 9). Packages from workspaces, links, patches and local files are left
// out: only registry packages have advisories.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/internal/unique_packages.h"
#include "stages/scan/deps/internal/yaml_lines.h"
#include "stages/scan/deps/lockfile_stream.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

// A yarn.lock specifier, "name@range": the name ends at the first '@'
// after a scope's. `real` is the package an alias ("alias@npm:real@^1")
// installs, else the name; `source` is set when the range is not the npm
// registry's: Berry says "npm:" for the registry (a patch of a registry
// package still is one), v1 writes bare semver ranges and tags, so a range
// holding ':' or '/' there is a URL, git, GitHub or a path.
struct Spec {
  absl::string_view name, real, source;
};
Spec ParseSpec(absl::string_view spec) {
  Spec out;
  size_t at = spec.find('@', 1);
  out.name = out.real = spec.substr(0, at);
  absl::string_view range =
      at == absl::string_view::npos ? "" : spec.substr(at + 1);
  const bool npm = absl::ConsumePrefix(&range, "npm:");
  if (npm) {
    // "real@^1.0.0" (an alias) or a bare range.
    if (size_t v = range.find('@', 1); v != absl::string_view::npos) {
      out.real = range.substr(0, v);
    }
  } else if (absl::StartsWith(range, "patch:") &&
             absl::StrContains(range, "@npm%3A")) {
    // A local patch of a registry package: still that package's version.
  } else if (range.find_first_of(":/") != absl::string_view::npos) {
    out.source = range;
  }
  return out;
}

// yarn.lock, a line at a time: an entry's header, then its fields.
class YarnLockReader : public LineReader {
 public:
  YarnLockReader(const std::string& file, Inventory* out)
      : file_(file), out_(out), packages_(out) {}

 private:
  void Line(absl::string_view line, uint32_t lineno) override {
    if (line.empty() || line[0] == '#') return;
    if (line[0] != ' ') {  // an entry's header: "spec, spec:"
      skip_ = true;
      if (!absl::EndsWith(line, ":")) {
        out_->Warn(absl::StrCat(file_, ":", lineno,
                                ": expected an entry header ending in ':'"));
        return;
      }
      // v1 quotes each specifier, Berry the whole list.
      absl::string_view specs = Unquote(line.substr(0, line.size() - 1));
      absl::string_view first = Unquote(specs.substr(0, specs.find(',')));
      Spec spec = ParseSpec(first);
      header_ = lineno;
      if (spec.name == "__metadata" || spec.name.empty()) return;
      std::string where = absl::StrCat(file_, ":", lineno, ": '", spec.name);
      if (!spec.source.empty()) {
        if (!absl::StartsWith(spec.source, "workspace:")) {  // the project
          out_->FromSource("npm", std::string(spec.name),
                           std::string(spec.source), file_, lineno);
        }
        return;
      }
      if (spec.real != spec.name) {
        out_->Note(absl::StrCat(where, "' is an alias of '", spec.real,
                                "'; matched as it"));
      }
      name_.assign(spec.real.data(), spec.real.size());
      skip_ = false;
      return;
    }
    absl::string_view field = absl::StripLeadingAsciiWhitespace(line);
    if (line.size() - field.size() != 2 || skip_) return;
    // `version "1.0.0"` (v1) or `version: 1.0.0` (Berry); either may quote
    // the field's name.
    absl::string_view key;
    if (absl::ConsumePrefix(&field, "\"")) {
      key = field.substr(0, field.find('"'));
      field.remove_prefix(std::min(field.size(), key.size() + 1));
    } else {
      key = field.substr(0, field.find_first_of(" :"));
      field.remove_prefix(key.size());
    }
    if (key != "version") return;
    absl::ConsumePrefix(&field, ":");
    absl::string_view version = Unquote(field);
    if (!version.empty()) {
      failed_ =
          packages_.Add({"npm", name_, std::string(version), file_, header_});
      skip_ = true;  // one version per entry
    }
  }

  const std::string file_;
  Inventory* out_;
  UniquePackages packages_;
  std::string name_;
  uint32_t header_ = 0;
  bool skip_ = true;  // until an entry of a registry package starts
};

// pnpm-lock.yaml, a line at a time: the keys of its `packages:` map.
class PnpmLockReader : public LineReader {
 public:
  PnpmLockReader(const std::string& file, Inventory* out)
      : file_(file), out_(out), packages_(out) {}

 private:
  void Line(absl::string_view line, uint32_t lineno) override {
    if (line.empty() || line[0] == '#') return;
    if (line[0] != ' ') {
      in_packages_ = line == "packages:";
      return;
    }
    // Entries are the keys indented by two spaces.
    if (!in_packages_ || line.size() < 3 || line[2] == ' ' ||
        !absl::EndsWith(line, ":")) {
      return;
    }
    absl::string_view key = Unquote(line.substr(2, line.size() - 3));
    absl::ConsumePrefix(&key, "/");
    key = key.substr(0, key.find('('));  // v6+: peer dependencies
    // From another registry than the default: "host/name/version".
    if (size_t slash = key.find('/');
        !key.empty() && key[0] != '@' && slash != absl::string_view::npos &&
        key.substr(0, slash).find('.') != absl::string_view::npos &&
        key.substr(0, slash).find('@') == absl::string_view::npos &&
        key.find('/', slash + 1) != absl::string_view::npos) {
      key.remove_prefix(slash + 1);
    }
    // The name ends at the first '/' (v5: name/version) or '@' (v6+:
    // name@version) after its scope, if any.
    size_t from = 0;
    if (!key.empty() && key[0] == '@') {
      from = key.find('/');
      if (from == absl::string_view::npos) return;
      ++from;
    }
    size_t end = key.find_first_of("/@", from);
    if (end == absl::string_view::npos) return;
    absl::string_view name = key.substr(0, end);
    absl::string_view version = key.substr(end + 1);
    if (key[end] == '/') {
      version = version.substr(0, version.find('_'));  // v5 peer suffix
    }
    if (absl::StrContains(version, ":")) {  // link:, file:, a tarball URL
      out_->FromSource("npm", std::string(name), std::string(version), file_,
                       lineno);
      return;
    }
    if (name.empty() || version.empty()) return;
    failed_ = packages_.Add(
        {"npm", std::string(name), std::string(version), file_, lineno});
  }

  const std::string file_;
  Inventory* out_;
  UniquePackages packages_;
  bool in_packages_ = false;
};

}  // namespace

std::unique_ptr<LockfileReader> NewYarnLockReader(const std::string& file,
                                                  Inventory* out) {
  return std::make_unique<YarnLockReader>(file, out);
}

std::unique_ptr<LockfileReader> NewPnpmLockReader(const std::string& file,
                                                  Inventory* out) {
  return std::make_unique<PnpmLockReader>(file, out);
}

absl::Status ParseYarnLock(absl::string_view text, const std::string& file,
                           Inventory* out) {
  return ReadText(*NewYarnLockReader(file, out), text);
}

absl::Status ParsePnpmLock(absl::string_view text, const std::string& file,
                           Inventory* out) {
  return ReadText(*NewPnpmLockReader(file, out), text);
}

}  // namespace dso
