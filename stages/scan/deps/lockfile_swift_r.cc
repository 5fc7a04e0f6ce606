// JSON lockfiles of two smaller ecosystems: Swift's Package.resolved
// (versions 1 to 3: `pins` with a repository URL and a state; the OSV
// SwiftURL name is the URL without scheme and `.git`, "github.com/o/r"; a
// pin on a branch or revision has no version: noted, not matched) and R's
// renv.lock (`Packages`: CRAN and other repositories' packages are
// matched as CRAN, Bioconductor's as Bioconductor; GitHub and local ones
// noted).
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using Json = nlohmann::json;

// "https://github.com/o/r.git", "git@github.com:o/r.git" -> "github.com/o/r".
std::string SwiftUrlName(absl::string_view url) {
  if (size_t scheme = url.find("://"); scheme != absl::string_view::npos) {
    url.remove_prefix(scheme + 3);
    if (size_t at = url.find('@'); at < url.find('/'))
      url.remove_prefix(at + 1);
  } else if (size_t at = url.find('@'); at != absl::string_view::npos) {
    url.remove_prefix(at + 1);  // scp-like: git@host:o/r
  }
  std::string out(url);
  if (size_t colon = out.find(':');
      colon != std::string::npos && colon < out.find('/')) {
    out[colon] = '/';
  }
  absl::string_view v = out;
  while (absl::ConsumeSuffix(&v, "/")) {
  }
  absl::ConsumeSuffix(&v, ".git");
  return absl::AsciiStrToLower(v);
}

}  // namespace

absl::Status ParsePackageResolved(absl::string_view text,
                                  const std::string& file, Inventory* out) {
  auto parsed = ParseJson(text, file, 32);
  if (!parsed.ok()) return parsed.status();
  const auto lines = FirstLinesOfStrings(text);
  // Version 1 nests the pins in "object".
  const Json& object = MemberAt(*parsed, "object");
  const Json& pins =
      object.is_object() ? MemberAt(object, "pins") : MemberAt(*parsed, "pins");
  if (!pins.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": no pins"));
  }
  for (const Json& pin : pins) {
    std::string url = StringAt(pin, "location", StringAt(pin, "repositoryURL"));
    std::string version = StringAt(MemberAt(pin, "state"), "version");
    uint32_t line = LineOf(lines, url);
    if (url.empty()) {
      out->Warn(absl::StrCat(file, ":", line, ": a pin without a location"));
      continue;
    }
    if (version.empty()) {
      out->Note(absl::StrCat(file, ":", line, ": '", url,
                             "' is pinned to a branch or "
                             "revision, no version; not matched"));
      continue;
    }
    out->packages.push_back(
        {"SwiftURL", SwiftUrlName(url), version, file, line});
  }
  return absl::OkStatus();
}

absl::Status ParseRenvLock(absl::string_view text, const std::string& file,
                           Inventory* out) {
  auto parsed = ParseJson(text, file, 32);
  if (!parsed.ok()) return parsed.status();
  const Json& packages = MemberAt(*parsed, "Packages");
  if (!packages.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": no Packages"));
  }
  const auto lines = FirstLinesOfStrings(text);
  for (const auto& [key, p] : packages.items()) {
    std::string name = StringAt(p, "Package", key);
    std::string version = StringAt(p, "Version");
    std::string source = StringAt(p, "Source");
    uint32_t line = LineOf(lines, key);
    if (version.empty()) {
      out->Warn(absl::StrCat(file, ":", line, ": '", name, "' has no Version"));
      continue;
    }
    if (source == "Repository" || source == "Bioconductor") {
      out->packages.push_back(
          {source == "Bioconductor" ? "Bioconductor" : "CRAN", name, version,
           file, line});
      continue;
    }
    out->FromSource("CRAN", name, source.empty() ? "an unknown source" : source,
                    file, line);
  }
  return absl::OkStatus();
}

}  // namespace dso
