// XML manifests, read with expat (entity expansion bounded by its
// billion-laughs protection; external entities never loaded):
//   - NuGet's packages.config: `<package id="Name" version="1.2.3" />`;
//   - NuGet's PackageReference in *.csproj, *.fsproj, *.vbproj and
//     Directory.Packages.props (central versions, `<PackageVersion>`): the
//     Version (or VersionOverride) attribute or child element; a version
//     that is a range or an MSBuild property is noted, not matched, and a
//     reference without one takes the central version if this file has it;
//   - Gradle's gradle/verification-metadata.xml: every
//     `<component group= name= version=>` (Maven).
// An element without what it needs is a warning; the rest is kept. (A file
// that is not XML adds nothing: the caller drops its Inventory.)
#include <expat.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using Attrs = std::map<std::string, std::string>;

// Calls `start` for every element (its name, attributes, depth from 1,
// line) and `end` with the element's text content; an error names the
// file and line where the XML broke.
absl::Status WalkXml(absl::string_view text, const std::string& file,
                     const std::function<void(const std::string&, const Attrs&,
                                              int, uint32_t)>& start,
                     const std::function<void(const std::string&,
                                              const std::string&, int)>& end) {
  struct State {
    XML_Parser parser;
    decltype(start) on_start;
    decltype(end) on_end;
    int depth = 0;
    std::string text;
  } st{XML_ParserCreate(nullptr), start, end, 0, {}};
  if (st.parser == nullptr) return absl::ResourceExhaustedError("expat");
  XML_SetUserData(st.parser, &st);
  XML_SetElementHandler(
      st.parser,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        auto* s = static_cast<State*>(data);
        Attrs a;
        for (int i = 0; attrs[i] && attrs[i + 1]; i += 2) {
          a[attrs[i]] = attrs[i + 1];
        }
        s->text.clear();
        s->on_start(name, a, ++s->depth,
                    static_cast<uint32_t>(XML_GetCurrentLineNumber(s->parser)));
      },
      [](void* data, const XML_Char* name) {
        auto* s = static_cast<State*>(data);
        s->on_end(name, std::string(absl::StripAsciiWhitespace(s->text)),
                  s->depth--);
        s->text.clear();
      });
  XML_SetCharacterDataHandler(st.parser,
                              [](void* data, const XML_Char* chars, int len) {
                                auto* s = static_cast<State*>(data);
                                if (s->text.size() < 4096)
                                  s->text.append(chars, len);
                              });
  XML_Status ok = XML_Parse(st.parser, text.data(),
                            static_cast<int>(text.size()), XML_TRUE);
  absl::Status status;
  if (ok != XML_STATUS_OK) {
    status = absl::InvalidArgumentError(absl::StrCat(
        file, ":", XML_GetCurrentLineNumber(st.parser),
        ": not XML: ", XML_ErrorString(XML_GetErrorCode(st.parser))));
  }
  XML_ParserFree(st.parser);
  return status;
}

std::string AttrOr(const Attrs& a, const char* key) {
  auto it = a.find(key);
  return it == a.end() ? "" : it->second;
}

}  // namespace

absl::Status ParsePackagesConfig(absl::string_view text,
                                 const std::string& file, Inventory* out) {
  absl::Status s = WalkXml(
      text, file,
      [&](const std::string& name, const Attrs& a, int depth, uint32_t line) {
        if (depth != 2 || name != "package") return;
        std::string id = AttrOr(a, "id"), version = AttrOr(a, "version");
        if (id.empty() || version.empty()) {
          out->Warn(absl::StrCat(file, ":", line,
                                 ": a <package> without an id or a version"));
          return;
        }
        out->packages.push_back({"NuGet", id, version, file, line});
      },
      [](const std::string&, const std::string&, int) {});
  return s;
}

absl::Status ParseMsBuildPackages(absl::string_view text,
                                  const std::string& file, Inventory* out) {
  struct Ref {
    std::string name, version;
    uint32_t line = 0;
  };
  std::vector<Ref> refs;
  std::map<std::string, Ref> central;  // <PackageVersion>, by name
  // The reference whose <Version> child may follow, by index (refs grows).
  size_t open = SIZE_MAX;
  absl::Status s = WalkXml(
      text, file,
      [&](const std::string& name, const Attrs& a, int, uint32_t line) {
        if (name == "PackageReference" || name == "PackageVersion") {
          std::string id = AttrOr(a, "Include");
          if (id.empty()) id = AttrOr(a, "Update");
          std::string version = AttrOr(a, "VersionOverride");
          if (version.empty()) version = AttrOr(a, "Version");
          if (name == "PackageVersion") {
            if (!id.empty()) central[id] = {id, version, line};
            open = SIZE_MAX;
            return;
          }
          refs.push_back({id, version, line});
          open = refs.size() - 1;
        }
      },
      [&](const std::string& name, const std::string& content, int) {
        if (name == "Version" && open < refs.size() &&
            refs[open].version.empty()) {
          refs[open].version = content;
        }
        if (name == "PackageReference") open = SIZE_MAX;
      });
  if (!s.ok()) return s;
  for (Ref& r : refs) {
    std::string where = absl::StrCat(file, ":", r.line, ": '", r.name, "'");
    if (r.name.empty()) {
      out->Warn(absl::StrCat(file, ":", r.line,
                             ": a <PackageReference> without Include"));
      continue;
    }
    if (r.version.empty() && central.count(r.name)) {
      r.version = central[r.name].version;
    }
    if (r.version.empty()) {
      out->Note(absl::StrCat(
          where,
          " has no version here (Directory.Packages.props sets it); "
          "not matched"));
      continue;
    }
    if (r.version.find_first_of("[($*") != std::string::npos) {
      out->Note(absl::StrCat(where, " version '", r.version,
                             "' is a range or a property; "
                             "not matched"));
      continue;
    }
    out->packages.push_back({"NuGet", r.name, r.version, file, r.line});
  }
  // A props file's central versions are packages of the solution.
  if (refs.empty()) {
    for (const auto& [name, c] : central) {
      if (c.version.empty() ||
          c.version.find_first_of("[($*") != std::string::npos) {
        out->Note(absl::StrCat(file, ":", c.line, ": '", name, "' version '",
                               c.version,
                               "' is a range or a property; "
                               "not matched"));
        continue;
      }
      out->packages.push_back({"NuGet", name, c.version, file, c.line});
    }
  }
  return absl::OkStatus();
}

absl::Status ParseGradleVerificationMetadata(absl::string_view text,
                                             const std::string& file,
                                             Inventory* out) {
  absl::Status s = WalkXml(
      text, file,
      [&](const std::string& name, const Attrs& a, int, uint32_t line) {
        if (name != "component") return;
        std::string group = AttrOr(a, "group"), artifact = AttrOr(a, "name"),
                    version = AttrOr(a, "version");
        if (group.empty() || artifact.empty() || version.empty()) {
          out->Warn(
              absl::StrCat(file, ":", line,
                           ": a <component> without a group, name or version"));
          return;
        }
        out->packages.push_back(
            {"Maven", absl::StrCat(group, ":", artifact), version, file, line});
      },
      [](const std::string&, const std::string&, int) {});
  return s;
}

}  // namespace dso
