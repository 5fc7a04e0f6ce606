#include "stages/sign/image_location.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/files/tar_dir.h"
#include "stages/oci/image_input.h"
#include "stages/oci/registry.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

std::set<std::string> BlobNames(const std::string& layout) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(layout + "/blobs/sha256", ec)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

}  // namespace

absl::StatusOr<OpenedImage> OpenImageLocation(
    const dso::v1::ImageLocation& location, StepContext& context,
    const dso::v1::RunStepRequest& request) {
  OpenedImage out;
  if (!location.registry_ref().empty()) {
    ASSIGN_OR_RETURN(RegistryRef ref,
                     ParseRegistryRef(location.registry_ref()));
    out.repo =
        OpenRegistryRepo(ref, RegistryOptionsFrom(RequestSecrets(
                                  request, context, RegistryDestination(ref))));
    return out;
  }
  ASSIGN_OR_RETURN(out.layout_dir, context.ResolveInput(location.layout()));
  out.layout_copied =
      location.layout().source_case() == dso::v1::Input::kTarDigest;
  ASSIGN_OR_RETURN(out.repo,
                   OpenLayoutRepo(out.layout_dir, location.layout_ref()));
  if (out.layout_copied) out.blobs_before = BlobNames(out.layout_dir);
  return out;
}

absl::StatusOr<std::optional<dso::v1::Artifact>> ReturnLayoutUpdate(
    const OpenedImage& image, StepContext& context) {
  if (!image.layout_copied) return std::optional<dso::v1::Artifact>();
  std::string update = context.scratch_dir() + "/layout-update";
  std::error_code ec;
  fs::create_directories(update + "/blobs/sha256", ec);
  if (ec) return absl::InternalError(ec.message());
  for (const std::string& name : BlobNames(image.layout_dir)) {
    if (image.blobs_before.count(name)) continue;
    fs::copy_file(absl::StrCat(image.layout_dir, "/blobs/sha256/", name),
                  absl::StrCat(update, "/blobs/sha256/", name), ec);
    if (ec) return absl::InternalError(ec.message());
  }
  fs::copy_file(image.layout_dir + "/index.json", update + "/index.json", ec);
  if (ec) return absl::InternalError(ec.message());
  std::string tar = context.scratch_dir() + "/" + kLayoutUpdateArtifact;
  RETURN_IF_ERROR(PackDirectoryToFile(update, tar));
  ASSIGN_OR_RETURN(
      dso::v1::Artifact a,
      context.PutArtifact(tar, kLayoutUpdateArtifact, "application/x-tar"));
  return std::optional<dso::v1::Artifact>(std::move(a));
}

absl::Status ApplyLayoutUpdate(const std::string& tar, const std::string& dir,
                               const std::string& scratch) {
  std::string unpacked = scratch + "/layout-update";
  std::error_code ec;
  fs::create_directories(unpacked, ec);
  RETURN_IF_ERROR(UnpackTar(tar, unpacked));
  for (const auto& e : fs::directory_iterator(unpacked + "/blobs/sha256", ec)) {
    std::string name = e.path().filename().string();
    ASSIGN_OR_RETURN(FileDigest got, Sha256File(e.path().string()));
    if (got.digest != "sha256:" + name) {
      return absl::DataLossError(absl::StrCat("the layout update's blob ", name,
                                              " does not match its name"));
    }
    std::string dest = absl::StrCat(dir, "/blobs/sha256/", name);
    if (fs::exists(dest, ec)) continue;
    fs::copy_file(e.path(), dest + ".part",
                  fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(dest + ".part", dest, ec);
    if (ec) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot write '", dest, "': ", ec.message()));
    }
  }
  ASSIGN_OR_RETURN(std::string index,
                   ReadFile(unpacked + "/index.json", FileKind::kManifest));
  // The new index must be a layout index naming only blobs the layout has.
  nlohmann::json j = nlohmann::json::parse(index, nullptr, false);
  if (!j.is_object() || !j["manifests"].is_array()) {
    return absl::InvalidArgumentError(
        "the layout update's index.json is not an OCI index");
  }
  for (const auto& d : j["manifests"]) {
    absl::StatusOr<std::string> hex = ParseSha256Digest(StringAt(d, "digest"));
    if (!hex.ok() || !fs::exists(absl::StrCat(dir, "/blobs/sha256/", *hex))) {
      return absl::InvalidArgumentError(
          "the layout update's index.json names a blob the layout lacks");
    }
  }
  RETURN_IF_ERROR(WriteFileAtomically(dir + "/index.json", index));
  return SyncDirectory(dir);
}

}  // namespace dso
