// NuGet packages from packages.config, the pre-PackageReference manifest
// that pins every package: `<package id="Name" version="1.2.3" />` under
// `<packages>`. Read with expat (entity expansion bounded by its
// billion-laughs protection; external entities never loaded). A package
// element without an id or a version is a warning.
#include <expat.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

struct PackagesConfigReader {
  XML_Parser parser;
  const std::string* file;
  Inventory* out;
  int depth = 0;

  static void Start(void* data, const XML_Char* name, const XML_Char** attrs) {
    auto* r = static_cast<PackagesConfigReader*>(data);
    ++r->depth;
    if (r->depth != 2 || std::strcmp(name, "package") != 0) return;
    std::string id, version;
    for (int i = 0; attrs[i] && attrs[i + 1]; i += 2) {
      if (std::strcmp(attrs[i], "id") == 0) id = attrs[i + 1];
      if (std::strcmp(attrs[i], "version") == 0) version = attrs[i + 1];
    }
    uint32_t line = static_cast<uint32_t>(XML_GetCurrentLineNumber(r->parser));
    if (id.empty() || version.empty()) {
      r->out->warnings.push_back(absl::StrCat(
          *r->file, ":", line, ": a <package> without an id or a version"));
      return;
    }
    r->out->packages.push_back({"NuGet", id, version, *r->file, line});
  }
  static void End(void* data, const XML_Char*) {
    --static_cast<PackagesConfigReader*>(data)->depth;
  }
};

}  // namespace

absl::Status ParsePackagesConfig(absl::string_view text,
                                 const std::string& file, Inventory* out) {
  Inventory found;
  PackagesConfigReader r{XML_ParserCreate(nullptr), &file, &found};
  if (r.parser == nullptr) return absl::ResourceExhaustedError("expat");
  XML_SetUserData(r.parser, &r);
  XML_SetElementHandler(r.parser, &PackagesConfigReader::Start,
                        &PackagesConfigReader::End);
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
  for (auto& p : found.packages) out->packages.push_back(std::move(p));
  for (auto& w : found.warnings) out->warnings.push_back(std::move(w));
  return absl::OkStatus();
}

}  // namespace dso
