#include "stages/scan/deps/sbom.h"

#include <openssl/rand.h>

#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/scan/deps/osv_db.h"

namespace dso {
namespace {

// Percent-encodes what a purl segment may not hold as is.
std::string Escape(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_' ||
        c == '~' || c == '+') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// A path-like name ("golang.org/x/text", "@scope/pkg"): segments escaped,
// slashes kept.
std::string EscapePath(absl::string_view s) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    absl::StrAppend(&out, Escape(s.substr(start, slash - start)));
    if (slash == absl::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string PackageUrl(const Package& p) {
  std::string version = Escape(p.version);
  if (p.ecosystem == "PyPI") {
    return absl::StrCat("pkg:pypi/",
                        Escape(NormalizePackageName("PyPI", p.name)), "@",
                        version);
  }
  if (p.ecosystem == "Go") {
    return absl::StrCat("pkg:golang/", EscapePath(p.name), "@v", version);
  }
  if (p.ecosystem == "npm") {
    return absl::StrCat("pkg:npm/", EscapePath(p.name), "@", version);
  }
  if (p.ecosystem == "crates.io") {
    return absl::StrCat("pkg:cargo/", Escape(p.name), "@", version);
  }
  if (p.ecosystem == "Maven") {
    size_t colon = p.name.find(':');
    return absl::StrCat("pkg:maven/", Escape(p.name.substr(0, colon)), "/",
                        Escape(p.name.substr(colon + 1)), "@", version);
  }
  if (p.ecosystem == "RubyGems") {
    return absl::StrCat("pkg:gem/", Escape(p.name), "@", version);
  }
  if (p.ecosystem == "NuGet") {
    return absl::StrCat("pkg:nuget/", Escape(p.name), "@", version);
  }
  if (p.ecosystem == "Packagist") {
    return absl::StrCat("pkg:composer/",
                        EscapePath(absl::AsciiStrToLower(p.name)), "@",
                        version);
  }
  if (p.ecosystem == "SwiftURL") {  // github.com/o/r: namespace and name
    return absl::StrCat("pkg:swift/", EscapePath(p.name), "@", version);
  }
  // Types whose name is the package's name as it is.
  for (auto [ecosystem, type] : {std::pair{"Pub", "pub"},
                                 {"Hex", "hex"},
                                 {"CRAN", "cran"},
                                 {"Bioconductor", "bioconductor"},
                                 {"Hackage", "hackage"},
                                 {"ConanCenter", "conan"}}) {
    if (p.ecosystem == ecosystem) {
      return absl::StrCat("pkg:", type, "/", Escape(p.name), "@", version);
    }
  }
  // OS packages carry their release; dpkg entries are source packages.
  std::vector<absl::string_view> eco = absl::StrSplit(p.ecosystem, ':');
  if ((eco[0] == "Debian" || eco[0] == "Ubuntu") && eco.size() > 1) {
    std::string distro = absl::AsciiStrToLower(eco[0]);
    return absl::StrCat("pkg:deb/", distro, "/", Escape(p.name), "@", version,
                        "?arch=source&distro=", distro, "-", eco[1]);
  }
  if (eco[0] == "Alpine" && eco.size() > 1) {
    return absl::StrCat("pkg:apk/alpine/", Escape(p.name), "@", version,
                        "?distro=", absl::StripPrefix(eco[1], "v"));
  }
  if (eco[0] == "Wolfi" || eco[0] == "Chainguard") {
    return absl::StrCat("pkg:apk/", absl::AsciiStrToLower(eco[0]), "/",
                        Escape(p.name), "@", version);
  }
  return "";
}

std::string NewUuid() {
  unsigned char b[16] = {0};
  RAND_bytes(b, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

std::string CycloneDxJson(const Inventory& inventory,
                          const std::string& subject, const std::string& serial,
                          absl::Time when) {
  using Json = nlohmann::ordered_json;
  // One component per purl, in purl order, with every place it was found.
  std::map<std::string, std::pair<const Package*, std::vector<std::string>>>
      components;
  for (const Package& p : inventory.packages) {
    std::string purl = PackageUrl(p);
    std::string key =
        purl.empty() ? absl::StrCat(p.ecosystem, ":", p.name, "@", p.version)
                     : purl;
    auto& entry = components[key];
    if (!entry.first) entry.first = &p;
    entry.second.push_back(absl::StrCat(p.file, ":", p.line));
  }
  Json list = Json::array();
  for (const auto& [key, entry] : components) {
    const Package& p = *entry.first;
    Json c;
    c["type"] = "library";
    c["bom-ref"] = key;
    c["name"] = p.name;
    c["version"] = p.version;
    if (absl::StartsWith(key, "pkg:")) c["purl"] = key;  // the key is its purl
    Json props = Json::array();
    props.push_back({{"name", "dso:ecosystem"}, {"value", p.ecosystem}});
    for (const std::string& where : entry.second) {
      props.push_back({{"name", "dso:location"}, {"value", where}});
    }
    c["properties"] = std::move(props);
    list.push_back(std::move(c));
  }
  // Dependencies from git, a URL or a path: their source instead of a
  // version (an external reference where the source is a URL).
  for (const SourcedPackage& s : inventory.sourced) {
    Json c;
    c["type"] = "library";
    c["bom-ref"] = absl::StrCat(s.ecosystem, ":", s.name, "@", s.source, " ",
                                s.file, ":", s.line);
    c["name"] = s.name;
    for (const char* scheme :
         {"https://", "http://", "git+", "git://", "ssh://", "github:"}) {
      size_t at = s.source.find(scheme);
      if (at != std::string::npos) {
        c["externalReferences"] = Json::array(
            {{{"type",
               absl::StrContains(s.source, "git") ? "vcs" : "distribution"},
              {"url", s.source.substr(at)}}});
        break;
      }
    }
    c["properties"] =
        Json::array({{{"name", "dso:ecosystem"}, {"value", s.ecosystem}},
                     {{"name", "dso:source"}, {"value", s.source}},
                     {{"name", "dso:location"},
                      {"value", absl::StrCat(s.file, ":", s.line)}}});
    list.push_back(std::move(c));
  }
  Json bom;
  bom["bomFormat"] = "CycloneDX";
  bom["specVersion"] = "1.5";
  bom["serialNumber"] = absl::StrCat("urn:uuid:", serial);
  bom["version"] = 1;
  bom["metadata"] = {
      {"timestamp",
       absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", when, absl::UTCTimeZone())},
      {"tools",
       {{"components", Json::array({{{"type", "application"},
                                     {"name", "dso"},
                                     {"version", "0.1.0"}}})}}},
      {"component", {{"type", "application"}, {"name", subject}}}};
  bom["components"] = std::move(list);
  return bom.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace dso
