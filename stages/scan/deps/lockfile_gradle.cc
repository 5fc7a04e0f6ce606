// Maven packages from Gradle's dependency lock files (gradle.lockfile,
// buildscript-gradle.lockfile): one `group:name:version=configurations`
// line per module; `empty=...` and comments carry none.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseGradleLockfile(absl::string_view text,
                                 const std::string& file, Inventory* out) {
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || absl::StartsWith(line, "empty=")) {
      continue;
    }
    absl::string_view coordinates = line.substr(0, line.find('='));
    std::vector<absl::string_view> parts = absl::StrSplit(coordinates, ':');
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
        parts[2].empty()) {
      out->Warn(absl::StrCat(file, ":", lineno, ": '",
                             coordinates.substr(0, 200),
                             "' is not group:name:version"));
      continue;
    }
    out->packages.push_back({"Maven", absl::StrCat(parts[0], ":", parts[1]),
                             std::string(parts[2]), file, lineno});
  }
  return absl::OkStatus();
}

}  // namespace dso
