// ImageRepo over an OCI layout directory: artifacts are manifests in
// blobs/ whose tags ride in index.json, as `cosign save` and oras do.
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/oci/image_repo.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kRefName[] = "org.opencontainers.image.ref.name";

class LayoutRepo : public ImageRepo {
 public:
  LayoutRepo(std::string dir, std::string ref)
      : dir_(std::move(dir)), ref_(std::move(ref)) {}

  absl::StatusOr<std::string> ResolveImage() override {
    ASSIGN_OR_RETURN(BaseImage image, ReadBaseImage(dir_, "", ref_));
    ref_name_ = image.ref_name;
    return image.manifest_digest;
  }

  std::string Identity() const override {
    // "app:1" → "app"; a bare tag names no repository.
    size_t colon = ref_name_.rfind(':');
    if (colon == std::string::npos ||
        ref_name_.find('/', colon) != std::string::npos) {
      return "";
    }
    return ref_name_.substr(0, colon);
  }

  std::string Describe() const override {
    return absl::StrCat("layout ", dir_);
  }

  absl::StatusOr<std::optional<std::string>> GetManifest(
      const std::string& tag) override {
    if (ParseSha256Digest(tag).ok()) {
      ASSIGN_OR_RETURN(std::string bytes, GetBlob(tag, 4 << 20));
      return std::optional<std::string>(std::move(bytes));
    }
    ASSIGN_OR_RETURN(json index, ReadIndex());
    for (const json& d : index["manifests"]) {
      if (StringAt(MemberAt(d, "annotations"), kRefName) != tag) continue;
      std::string digest = StringAt(d, "digest");
      ASSIGN_OR_RETURN(std::string bytes, GetBlob(digest, 4 << 20));
      return std::optional<std::string>(std::move(bytes));
    }
    return std::optional<std::string>();
  }

  absl::StatusOr<std::string> GetBlob(const std::string& digest,
                                      uint64_t limit) override {
    ASSIGN_OR_RETURN(std::string hex, ParseSha256Digest(digest));
    std::string path = absl::StrCat(dir_, "/blobs/sha256/", hex);
    std::error_code ec;
    uint64_t size = fs::file_size(path, ec);
    if (ec) {
      return absl::NotFoundError(
          absl::StrCat(Describe(), ": blob ", digest, " is missing"));
    }
    if (size > limit) {
      return absl::InvalidArgumentError(absl::StrCat(
          Describe(), ": blob ", digest, " is larger than ", limit, " bytes"));
    }
    ASSIGN_OR_RETURN(std::string bytes, ReadFileUpTo(path, limit));
    if (Sha256Digest(bytes) != digest) {
      return absl::DataLossError(absl::StrCat(Describe(), ": blob ", digest,
                                              " does not match its digest"));
    }
    return bytes;
  }

  absl::Status PutBlob(absl::string_view bytes) override {
    std::string hex = Sha256Digest(bytes).substr(7);
    return WriteFileAtomically(absl::StrCat(dir_, "/blobs/sha256/", hex),
                               bytes);
  }

  absl::Status PutManifest(const std::string& tag,
                           absl::string_view bytes) override {
    RETURN_IF_ERROR(PutBlob(bytes));
    ASSIGN_OR_RETURN(json index, ReadIndex());
    json kept = json::array();
    for (const json& d : index["manifests"]) {
      if (StringAt(MemberAt(d, "annotations"), kRefName) != tag) {
        kept.push_back(d);
      }
    }
    kept.push_back({{"mediaType", kOciManifestType},
                    {"digest", Sha256Digest(bytes)},
                    {"size", bytes.size()},
                    {"annotations", {{kRefName, tag}}}});
    index["manifests"] = std::move(kept);
    RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/index.json", index.dump()));
    return SyncDirectory(dir_);
  }

 private:
  absl::StatusOr<json> ReadIndex() {
    std::string path = dir_ + "/index.json";
    ASSIGN_OR_RETURN(std::string text, ReadFile(path, FileKind::kManifest));
    json index = json::parse(text, nullptr, false);
    if (!index.is_object() || !index["manifests"].is_array()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not an OCI image index"));
    }
    return index;
  }

  std::string dir_, ref_, ref_name_;
};

}  // namespace

std::string CosignTag(absl::string_view manifest_digest,
                      absl::string_view suffix) {
  std::string tag(manifest_digest);
  size_t colon = tag.find(':');
  if (colon != std::string::npos) tag[colon] = '-';
  return absl::StrCat(tag, ".", suffix);
}

bool IsCosignArtifactTag(absl::string_view tag) {
  if (!absl::StartsWith(tag, "sha256-") || tag.size() != 7 + 64 + 4) {
    return false;
  }
  absl::string_view suffix = tag.substr(7 + 64);
  return suffix == ".sig" || suffix == ".att" || suffix == ".sbom";
}

absl::StatusOr<std::unique_ptr<ImageRepo>> OpenLayoutRepo(
    const std::string& dir, const std::string& ref) {
  std::error_code ec;
  if (!fs::is_regular_file(dir + "/oci-layout", ec) ||
      !fs::is_regular_file(dir + "/index.json", ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", dir, "' is not an OCI image layout (no oci-layout, index.json)"));
  }
  return std::make_unique<LayoutRepo>(dir, ref);
}

}  // namespace dso
