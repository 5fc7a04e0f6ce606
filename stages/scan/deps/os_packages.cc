// Installed OS packages from a root file system: dpkg's status database
// (and distroless images' status.d files) and apk's installed database,
// named by source package as Debian's, Ubuntu's and Alpine's advisories
// are; the release from os-release picks the OSV ecosystem.
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

// One `Field: value` paragraph (dpkg) or `K:value` record (apk), with the
// line it starts on; continuation lines are not needed and are skipped.
struct Stanza {
  uint32_t line = 0;
  std::vector<std::pair<absl::string_view, absl::string_view>> fields;
  absl::string_view Get(absl::string_view key) const {
    for (const auto& [k, v] : fields) {
      if (k == key) return v;
    }
    return "";
  }
};

std::vector<Stanza> Stanzas(absl::string_view text, char separator) {
  std::vector<Stanza> out;
  Stanza cur;
  uint32_t lineno = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++lineno;
    absl::ConsumeSuffix(&line, "\r");
    if (absl::StripAsciiWhitespace(line).empty()) {
      if (!cur.fields.empty()) out.push_back(std::move(cur));
      cur = Stanza();
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') continue;  // a continuation
    size_t sep = line.find(separator);
    if (sep == absl::string_view::npos) continue;
    if (cur.fields.empty()) cur.line = lineno;
    cur.fields.push_back({line.substr(0, sep),
                          absl::StripAsciiWhitespace(line.substr(sep + 1))});
  }
  if (!cur.fields.empty()) out.push_back(std::move(cur));
  return out;
}

absl::string_view OsReleaseValue(absl::string_view text,
                                 absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, key) && absl::ConsumePrefix(&line, "=")) {
      if (line.size() >= 2 && (line[0] == '"' || line[0] == '\'') &&
          line.back() == line[0]) {
        line = line.substr(1, line.size() - 2);
      }
      return line;
    }
  }
  return "";
}

}  // namespace

std::string OsEcosystem(absl::string_view os_release) {
  std::string id = absl::AsciiStrToLower(OsReleaseValue(os_release, "ID"));
  absl::string_view version = OsReleaseValue(os_release, "VERSION_ID");
  if (id == "debian") {
    return version.empty() ? "Debian" : absl::StrCat("Debian:", version);
  }
  if (id == "ubuntu") {
    if (version.empty()) return "Ubuntu";
    bool lts = absl::StrContains(OsReleaseValue(os_release, "VERSION"), "LTS");
    return absl::StrCat("Ubuntu:", version, lts ? ":LTS" : "");
  }
  if (id == "alpine") {
    // 3.19.1 -> v3.19
    std::vector<absl::string_view> parts = absl::StrSplit(version, '.');
    if (parts.size() < 2) return "Alpine";
    return absl::StrCat("Alpine:v", parts[0], ".", parts[1]);
  }
  if (id == "wolfi") return "Wolfi";
  if (id == "chainguard") return "Chainguard";
  return "";
}

absl::Status ParseDpkgStatus(absl::string_view text, const std::string& file,
                             const std::string& ecosystem, Inventory* out) {
  std::set<std::pair<absl::string_view, absl::string_view>> seen;
  for (const Stanza& s : Stanzas(text, ':')) {
    absl::string_view name = s.Get("Package"), version = s.Get("Version");
    if (name.empty() || version.empty()) {
      out->Warn(absl::StrCat(file, ":", s.line,
                             ": a package without Package or Version"));
      continue;
    }
    // Status: want flag, error flag, state; status.d files have none.
    absl::string_view status = s.Get("Status");
    if (!status.empty() && !absl::EndsWith(status, " installed")) continue;
    // Source: name, or name (version) when it differs from the binary's.
    absl::string_view source = s.Get("Source");
    if (!source.empty()) {
      size_t paren = source.find(" (");
      if (paren != absl::string_view::npos && absl::EndsWith(source, ")")) {
        version = source.substr(paren + 2, source.size() - paren - 3);
        source = source.substr(0, paren);
      }
      name = source;
    }
    if (!seen.insert({name, version}).second) continue;  // another binary
    out->packages.push_back(
        {ecosystem, std::string(name), std::string(version), file, s.line});
  }
  return absl::OkStatus();
}

absl::Status ParseApkInstalled(absl::string_view text, const std::string& file,
                               const std::string& ecosystem, Inventory* out) {
  std::set<std::pair<absl::string_view, absl::string_view>> seen;
  for (const Stanza& s : Stanzas(text, ':')) {
    absl::string_view name = s.Get("P"), version = s.Get("V");
    if (name.empty() || version.empty()) {
      out->Warn(
          absl::StrCat(file, ":", s.line, ": a package without P: or V:"));
      continue;
    }
    // Advisories name the origin (the aport), not each subpackage.
    if (absl::string_view origin = s.Get("o"); !origin.empty()) name = origin;
    if (!seen.insert({name, version}).second) continue;
    out->packages.push_back(
        {ecosystem, std::string(name), std::string(version), file, s.line});
  }
  return absl::OkStatus();
}

}  // namespace dso
