// Go modules from go.mod: `require` lines and blocks, with `replace`
// directives applied — one naming a version only to that version, as the go
// command does (a module replaced by a local directory is not matched) —
// and the standard library ("stdlib") at the `toolchain` version, else at
// the `go` line's (1.22 is the release 1.22.0). Versions are kept without
// the `v` (or `go`) prefix, as OSV writes them.
#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseGoMod(absl::string_view text, const std::string& file,
                        Inventory* out) {
  enum Block { kNone, kRequire, kReplace, kOther } block = kNone;
  struct Replacement {
    std::string path, version;  // version empty: a local directory
  };
  // By (module, version); version "" for a replace of every version.
  std::map<std::pair<std::string, std::string>, Replacement> replaced;
  // The `go` and `toolchain` lines: version, line.
  std::pair<std::string, uint32_t> go_line, toolchain;
  std::vector<Package> required;
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    if (size_t c = line.find("//"); c != absl::string_view::npos) {
      line = line.substr(0, c);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    Block kind = block;
    if (block == kNone && words.size() == 2 &&
        (words[0] == "go" || words[0] == "toolchain")) {
      absl::string_view v = words[1];
      absl::ConsumePrefix(&v, "go");
      auto& which = words[0] == "go" ? go_line : toolchain;
      which.first = std::string(v);
      which.second = lineno;
      continue;
    }
    if (block == kNone) {
      kind = words[0] == "require"   ? kRequire
             : words[0] == "replace" ? kReplace
                                     : kOther;
      if (words.size() == 2 && words[1] == "(") {
        block = kind;
        continue;
      }
      words.erase(words.begin());
    } else if (words[0] == ")") {
      block = kNone;
      continue;
    }
    if (kind == kRequire) {
      if (words.size() < 2) {
        return absl::InvalidArgumentError(absl::StrCat(
            file, ":", lineno, ": a requirement needs a module and a version"));
      }
      absl::string_view v = words[1];
      absl::ConsumePrefix(&v, "v");
      required.push_back(
          {"Go", std::string(words[0]), std::string(v), file, lineno});
    } else if (kind == kReplace) {
      auto arrow = std::find(words.begin(), words.end(), "=>");
      if (arrow == words.begin() || arrow == words.end() ||
          arrow + 1 == words.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ":", lineno, ": a replace needs 'A => B'"));
      }
      Replacement r{std::string(arrow[1]),
                    arrow + 2 != words.end() ? std::string(arrow[2]) : ""};
      absl::string_view only = arrow - words.begin() == 2 ? words[1] : "";
      absl::ConsumePrefix(&only, "v");
      replaced[{std::string(words[0]), std::string(only)}] = std::move(r);
    }
  }
  for (Package& p : required) {
    auto it = replaced.find({p.name, p.version});
    if (it == replaced.end()) it = replaced.find({p.name, ""});
    if (it != replaced.end()) {
      if (it->second.version.empty()) {
        out->Note(absl::StrCat(file, ":", p.line, ": '", p.name,
                               "' is replaced by the local '", it->second.path,
                               "'; not matched"));
        continue;
      }
      absl::string_view v = it->second.version;
      absl::ConsumePrefix(&v, "v");
      p.name = it->second.path;
      p.version = std::string(v);
    }
    out->packages.push_back(std::move(p));
  }
  const auto& chosen = toolchain.first.empty() ? go_line : toolchain;
  std::string stdlib = chosen.first;
  if (!stdlib.empty()) {
    if (std::count(stdlib.begin(), stdlib.end(), '.') == 1 &&
        stdlib.find_first_not_of("0123456789.") == std::string::npos) {
      absl::StrAppend(&stdlib, ".0");  // "1.22": the release 1.22.0
    }
    out->packages.push_back({"Go", "stdlib", stdlib, file, chosen.second});
  }
  return absl::OkStatus();
}

}  // namespace dso
