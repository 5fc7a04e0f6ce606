// Maven packages declared in a pom.xml, without the network: the project's
// `dependencies` and `dependencyManagement`, and those of its <profiles>
// (noted as such), with `${...}` resolved from the pom's own `properties`
// (a profile's where the project has none), project/parent coordinates,
// and what the parent poms found in the scanned tree define (properties,
// managed versions). A version that stays unresolved (defined in a parent
// pom outside the tree), a range, or a missing version is noted, not
// guessed. Read with expat, which
// loads no external entities and bounds entity expansion.
#include <expat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

struct Declared {
  std::string group, artifact, version, scope;
  uint32_t line = 0;
  bool managed = false;
  bool profile = false;  // declared in a <profile>
};

// A path inside a <profile> as the same path of the project itself
// ("project/profiles/profile/dependencies" -> "project/dependencies").
std::string Unprofiled(std::string p, bool* in_profile) {
  constexpr absl::string_view kProfile = "project/profiles/profile/";
  *in_profile = absl::StartsWith(p, kProfile);
  if (*in_profile) p = absl::StrCat("project/", p.substr(kProfile.size()));
  return p;
}

// What dso takes from one pom.xml.
struct Pom {
  std::map<std::string, std::string> properties;  // with project.* keys
  std::vector<Declared> declared;
  // Its <parent>: coordinates, and where it lies (relativePath; Maven's
  // default ../pom.xml when the element is missing, none when empty).
  std::string parent_artifact, parent_path = "../pom.xml";
  bool has_parent = false;
};

struct PomReader {
  XML_Parser parser;
  std::vector<std::string> path;  // element names from <project> down
  std::string text;               // character data of the current element
  Pom pom;
  Declared current;

  std::string Path() const { return absl::StrJoin(path, "/"); }

  static void Start(void* self, const XML_Char* name, const XML_Char**) {
    auto* r = static_cast<PomReader*>(self);
    r->path.push_back(name);
    r->text.clear();
    bool profile;
    std::string p = Unprofiled(r->Path(), &profile);
    if (p == "project/dependencies/dependency" ||
        p == "project/dependencyManagement/dependencies/dependency") {
      r->current = Declared();
      r->current.line =
          static_cast<uint32_t>(XML_GetCurrentLineNumber(r->parser));
      r->current.managed = absl::StrContains(p, "Management");
      r->current.profile = profile;
    }
  }

  static void End(void* self, const XML_Char*) {
    auto* r = static_cast<PomReader*>(self);
    bool profile;
    std::string p = Unprofiled(r->Path(), &profile);
    std::string value(absl::StripAsciiWhitespace(r->text));
    r->text.clear();
    r->path.pop_back();
    absl::string_view leaf = absl::string_view(p).substr(p.rfind('/') + 1);
    absl::string_view parent = absl::string_view(p).substr(0, p.rfind('/'));
    if (parent == "project/properties") {
      // A profile's properties count where the project has none of its own.
      if (profile) {
        r->pom.properties.emplace(std::string(leaf), value);
      } else {
        r->pom.properties[std::string(leaf)] = value;
      }
    } else if (profile && parent == "project") {
      // A profile changes no coordinates.
    } else if (p == "project/parent") {
      r->pom.has_parent = true;
    } else if (p == "project/parent/artifactId") {
      r->pom.parent_artifact = value;
    } else if (p == "project/parent/relativePath") {
      r->pom.parent_path = value;
    } else if (p == "project/version" || p == "project/groupId" ||
               p == "project/artifactId" || p == "project/parent/version" ||
               p == "project/parent/groupId") {
      // project.version, project.parent.version, ...
      std::string key = p;
      std::replace(key.begin(), key.end(), '/', '.');
      r->pom.properties[key] = value;
    } else if (absl::EndsWith(parent, "dependencies/dependency") &&
               (absl::StartsWith(p, "project/dependencies/") ||
                absl::StartsWith(p, "project/dependencyManagement/"))) {
      if (leaf == "groupId") r->current.group = value;
      if (leaf == "artifactId") r->current.artifact = value;
      if (leaf == "version") r->current.version = value;
      if (leaf == "scope") r->current.scope = value;
    } else if (p == "project/dependencies/dependency" ||
               p == "project/dependencyManagement/dependencies/dependency") {
      r->pom.declared.push_back(r->current);
    }
  }

  static void Text(void* self, const XML_Char* s, int len) {
    static_cast<PomReader*>(self)->text.append(s, len);
  }
};

// The longest a resolved value may grow: no coordinate or version comes
// near it, and nested properties (${a} is ${b}${b}, ${b} is ${c}${c}, ...)
// would otherwise double at every level.
constexpr size_t kMaxResolvedBytes = 4096;

// ${name} replaced from the properties, repeatedly (properties may refer to
// properties); empty when something stays unresolved or refers to itself;
// RESOURCE_EXHAUSTED past kMaxResolvedBytes.
absl::StatusOr<std::string> Resolve(
    const std::string& in, const std::map<std::string, std::string>& props) {
  std::string s = in;
  for (int round = 0; round < 16 && absl::StrContains(s, "${"); ++round) {
    std::string next;
    size_t i = 0;
    while (i < s.size()) {
      size_t open = s.find("${", i);
      size_t close = open == std::string::npos ? open : s.find('}', open);
      if (close == std::string::npos) {
        next.append(s, i, std::string::npos);
        break;
      }
      next.append(s, i, open - i);
      std::string key = s.substr(open + 2, close - open - 2);
      if (absl::StartsWith(key, "pom.")) key = "project." + key.substr(4);
      if (key == "version") key = "project.version";
      auto it = props.find(key);
      if (it == props.end() && key == "project.version") {
        it = props.find("project.parent.version");  // inherited
      }
      if (it == props.end() && key == "project.groupId") {
        it = props.find("project.parent.groupId");
      }
      if (it == props.end()) return "";
      if (next.size() + it->second.size() > kMaxResolvedBytes) {
        return absl::ResourceExhaustedError(
            absl::StrCat("'", in.substr(0, 80), "' expands past ",
                         kMaxResolvedBytes, " bytes (nested properties)"));
      }
      next += it->second;
      i = close + 1;
    }
    s = std::move(next);
  }
  return absl::StrContains(s, "${") ? "" : s;
}

// Reads one pom.xml.
absl::StatusOr<Pom> ReadPom(absl::string_view text, const std::string& file) {
  PomReader r;
  r.parser = XML_ParserCreate(nullptr);
  if (r.parser == nullptr) return absl::ResourceExhaustedError("expat");
  XML_SetUserData(r.parser, &r);
  XML_SetElementHandler(r.parser, &PomReader::Start, &PomReader::End);
  XML_SetCharacterDataHandler(r.parser, &PomReader::Text);
  XML_Status ok =
      XML_Parse(r.parser, text.data(), static_cast<int>(text.size()), XML_TRUE);
  absl::Status status;
  if (ok != XML_STATUS_OK) {
    status = absl::InvalidArgumentError(absl::StrCat(
        file, ":", XML_GetCurrentLineNumber(r.parser),
        ": not XML: ", XML_ErrorString(XML_GetErrorCode(r.parser))));
  }
  XML_ParserFree(r.parser);
  if (!status.ok()) return status;
  return std::move(r.pom);
}

// How many parents up dso follows: far past any real build.
constexpr int kMaxParents = 16;

// The parents of `pom` (at `file`) that lie in the scanned tree, nearest
// first; where the chain leaves the tree, a note says so.
std::vector<Pom> ParentsInTree(const Pom& pom, const std::string& file,
                               const PomFileReader& read, Inventory* out) {
  std::vector<Pom> parents;
  if (!read) return parents;
  std::set<std::string> seen = {file};
  const Pom* child = &pom;
  std::string at = file;
  while (child->has_parent && parents.size() < kMaxParents) {
    std::string where =
        absl::StrCat(at, ": parent '", child->parent_artifact, "'");
    if (child->parent_path.empty()) break;  // to be fetched, not in the tree
    fs::path target =
        (fs::path(at).parent_path() / child->parent_path).lexically_normal();
    if (!absl::EndsWith(target.filename().string(), ".xml")) {
      target /= "pom.xml";
    }
    std::string rel = target.generic_string();
    if (target.is_absolute() || absl::StartsWith(rel, "../") || rel == "..") {
      out->Note(absl::StrCat(where,
                             " lies outside the scanned tree; what it "
                             "defines is unknown"));
      break;
    }
    if (!seen.insert(rel).second) {
      out->Warn(absl::StrCat(where, ": ", rel, " is a parent of itself"));
      break;
    }
    absl::StatusOr<std::string> text = read(rel);
    absl::StatusOr<Pom> parent =
        text.ok() ? ReadPom(*text, rel) : absl::StatusOr<Pom>(text.status());
    std::string artifact;
    if (parent.ok()) artifact = parent->properties["project.artifactId"];
    if (!parent.ok() || artifact != child->parent_artifact) {
      out->Note(absl::StrCat(
          where, " is not in the scanned tree (",
          parent.ok() ? rel + " is '" + artifact + "'" : rel + " not read",
          "); what it defines is unknown"));
      break;
    }
    parents.push_back(*std::move(parent));
    child = &parents.back();
    at = rel;
  }
  return parents;
}

}  // namespace

absl::Status ParsePomXml(absl::string_view text, const std::string& file,
                         Inventory* out) {
  return ParsePomXmlInTree(text, file, nullptr, out);
}

absl::Status ParsePomXmlInTree(absl::string_view text, const std::string& file,
                               const PomFileReader& read, Inventory* out) {
  absl::StatusOr<Pom> pom = ReadPom(text, file);
  if (!pom.ok()) return pom.status();
  // What the parents define, the nearest winning, the pom's own over all.
  std::vector<Pom> parents = ParentsInTree(*pom, file, read, out);
  Pom merged;
  for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
    for (auto& [k, v] : it->properties) merged.properties[k] = v;
    for (Declared& d : it->declared) {
      if (d.managed) merged.declared.push_back(std::move(d));
    }
  }
  for (auto& [k, v] : pom->properties) merged.properties[k] = v;
  const size_t inherited = merged.declared.size();
  for (Declared& d : pom->declared) merged.declared.push_back(std::move(d));

  // Every ${...} resolved within its budget, or the file refused.
  absl::Status budget;
  auto resolve = [&](const std::string& in, uint32_t line) {
    absl::StatusOr<std::string> got = Resolve(in, merged.properties);
    if (got.ok()) return *std::move(got);
    if (budget.ok()) {
      budget = absl::InvalidArgumentError(absl::StrCat(
          file, ":", line, ": ", got.status().message(), "; refused"));
    }
    return std::string();
  };
  std::map<std::string, std::string> managed;  // group:artifact -> version
  for (const Declared& d : merged.declared) {
    if (d.managed) {
      managed[resolve(d.group, d.line) + ":" + resolve(d.artifact, d.line)] =
          d.version;
    }
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = inherited; i < merged.declared.size(); ++i) {
    const Declared& d = merged.declared[i];
    if (d.managed && d.scope == "import") continue;  // a BOM, not a library
    std::string name = absl::StrCat(resolve(d.group, d.line), ":",
                                    resolve(d.artifact, d.line));
    std::string where = absl::StrCat(file, ":", d.line);
    std::string raw = d.version;
    if (raw.empty() && managed.count(name)) raw = managed[name];
    if (raw.empty()) {
      out->Note(absl::StrCat(
          where, ": '", name,
          "' has no version here (a parent pom manages it); not matched"));
      continue;
    }
    std::string version = resolve(raw, d.line);
    if (!budget.ok()) return budget;
    if (version.empty() || name.front() == ':' || name.back() == ':') {
      out->Note(absl::StrCat(where, ": '", name, "' version '", raw,
                             "' is not defined in this pom; not matched"));
      continue;
    }
    if (version.find_first_of("[(,") != std::string::npos) {
      out->Note(absl::StrCat(where, ": '", name, "' is a range (", version,
                             "); not matched"));
      continue;
    }
    if (seen.insert({name, version}).second) {
      if (d.profile) {
        out->Note(absl::StrCat(
            where, ": '", name,
            "' is declared in a profile; matched as if it were active"));
      }
      out->packages.push_back({"Maven", name, version, file, d.line});
    }
  }
  return budget;
}

}  // namespace dso
