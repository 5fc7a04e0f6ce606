#include "stages/oci/registry.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/oci/image_repo.h"
#include "stages/oci/oci_layout.h"
#include "stages/oci/internal/registry_client.h"

namespace dso {
namespace {

using json = nlohmann::json;

absl::StatusOr<std::vector<BlobRef>> Blobs(const std::string& manifest,
                                           const std::string& where) {
  json m = json::parse(manifest, nullptr, false);
  if (!m.is_object() || !m.contains("config") || !m.contains("layers") ||
      !m["layers"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the manifest has no config or layers"));
  }
  std::vector<json> all = {m["config"]};
  for (const json& l : m["layers"]) all.push_back(l);
  std::vector<BlobRef> out;
  for (const json& d : all) {
    if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string() ||
        !d.contains("size") || !d["size"].is_number_unsigned() ||
        !ParseSha256Digest(d["digest"].get<std::string>()).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": a descriptor without sha256 digest or size"));
    }
    out.push_back({StringAt(d, "mediaType"), d["digest"].get<std::string>(),
                   d["size"].get<uint64_t>(), ""});
  }
  return out;
}

class RegistryRepo : public ImageRepo {
 public:
  RegistryRepo(const RegistryRef& ref, const RegistryOptions& options)
      : client_(ref, options) {}

  absl::StatusOr<std::string> ResolveImage() override {
    ASSIGN_OR_RETURN(RegistryManifest m,
                     client_.ResolveImage(client_.ref().reference));
    return m.digest;
  }
  std::string Identity() const override {
    const RegistryRef& r = client_.ref();
    // As cosign names Docker Hub repositories.
    return absl::StrCat(
        r.registry == "registry-1.docker.io" ? "index.docker.io" : r.registry,
        "/", r.repository);
  }
  std::string Describe() const override {
    return absl::StrCat("registry ", Identity());
  }
  absl::StatusOr<std::optional<std::string>> GetManifest(
      const std::string& tag) override {
    ASSIGN_OR_RETURN(std::optional<RegistryManifest> m,
                     client_.GetManifest(tag));
    if (!m) return std::optional<std::string>();
    return std::optional<std::string>(std::move(m->bytes));
  }
  absl::StatusOr<std::string> GetBlob(const std::string& digest,
                                      uint64_t limit) override {
    return client_.GetBlob(digest, limit);
  }
  absl::Status PutBlob(absl::string_view bytes) override {
    return client_.PutBlob(bytes);
  }
  absl::Status PutManifest(const std::string& tag,
                           absl::string_view bytes) override {
    return client_.PutManifest(tag, bytes, kOciManifestType);
  }

 private:
  RegistryClient client_;
};

}  // namespace

std::unique_ptr<ImageRepo> OpenRegistryRepo(const RegistryRef& ref,
                                            const RegistryOptions& options) {
  return std::make_unique<RegistryRepo>(ref, options);
}

std::string RegistryRef::ToString() const {
  return absl::StrCat(registry, "/", repository,
                      absl::StartsWith(reference, "sha256:") ? "@" : ":",
                      reference);
}

absl::StatusOr<RegistryRef> ParseRegistryRef(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("image reference '", text, "': ", why));
  };
  if (text.empty() ||
      text.find_first_of(" \t\n\\") != absl::string_view::npos) {
    return bad("not a reference");
  }
  RegistryRef r;
  absl::string_view rest = text;
  size_t slash = rest.find('/');
  absl::string_view first = rest.substr(0, slash);
  if (slash != absl::string_view::npos &&
      (first.find_first_of(".:") != absl::string_view::npos ||
       first == "localhost")) {
    r.registry = std::string(first);
    rest.remove_prefix(slash + 1);
  } else {
    r.registry = "registry-1.docker.io";
  }
  if (r.registry == "docker.io" || r.registry == "index.docker.io") {
    r.registry = "registry-1.docker.io";
  }
  size_t at = rest.find('@');
  if (at != absl::string_view::npos) {
    r.reference = std::string(rest.substr(at + 1));
    if (!ParseSha256Digest(r.reference).ok()) return bad("not a sha256 digest");
    rest = rest.substr(0, at);
  } else {
    size_t colon = rest.rfind(':');
    if (colon != absl::string_view::npos &&
        rest.find('/', colon) == absl::string_view::npos) {
      r.reference = std::string(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
    } else {
      r.reference = "latest";
    }
  }
  if (rest.empty() || absl::StrContains(rest, "..") ||
      absl::StrContains(rest, "//") || rest.front() == '/' ||
      rest.back() == '/' ||
      rest.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-/") !=
          absl::string_view::npos) {
    return bad(
        "the repository name must be lower case letters, digits, "
        "'.', '_', '-' and '/'");
  }
  r.repository = std::string(rest);
  if (r.registry == "registry-1.docker.io" && !absl::StrContains(rest, "/")) {
    r.repository = absl::StrCat("library/", rest);
  }
  if (r.reference.empty() ||
      r.reference.find_first_of("/ ") != std::string::npos) {
    return bad("empty or malformed tag");
  }
  return r;
}

absl::Status PullImage(const RegistryRef& ref, const RegistryOptions& options,
                       const std::string& dir, bool with_cosign_artifacts) {
  RegistryClient client(ref, options);
  ASSIGN_OR_RETURN(RegistryManifest manifest,
                   client.ResolveImage(ref.reference));
  std::vector<std::pair<std::string, RegistryManifest>> all = {
      {ref.reference, manifest}};
  if (with_cosign_artifacts) {
    for (const char* suffix : {"sig", "att", "sbom"}) {
      std::string tag = CosignTag(manifest.digest, suffix);
      ASSIGN_OR_RETURN(std::optional<RegistryManifest> m,
                       client.GetManifest(tag));
      if (m) all.push_back({tag, *std::move(m)});
    }
  }
  ASSIGN_OR_RETURN(OciLayoutWriter out, OciLayoutWriter::Create(dir));
  for (const auto& [tag, m] : all) {
    ASSIGN_OR_RETURN(std::vector<BlobRef> blobs, Blobs(m.bytes, tag));
    for (const BlobRef& b : blobs) {
      RETURN_IF_ERROR(
          client.GetBlobToFile(b.digest, b.size, out.BlobPath(b.digest)));
    }
  }
  ASSIGN_OR_RETURN(BlobRef stored,
                   out.PutBytes(manifest.bytes, manifest.media_type));
  RETURN_IF_ERROR(out.WriteIndex(stored, ref.reference));
  if (all.size() == 1) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto layout, OpenLayoutRepo(dir));
  for (size_t i = 1; i < all.size(); ++i) {
    RETURN_IF_ERROR(layout->PutManifest(all[i].first, all[i].second.bytes));
  }
  return absl::OkStatus();
}

absl::StatusOr<PushResult> PushImage(const std::string& layout_dir,
                                     const std::string& layout_ref,
                                     const RegistryRef& ref,
                                     const RegistryOptions& options) {
  ASSIGN_OR_RETURN(auto layout, OpenLayoutRepo(layout_dir, layout_ref));
  ASSIGN_OR_RETURN(std::string digest, layout->ResolveImage());
  RegistryClient client(ref, options);
  PushResult result;
  result.digest = digest;
  // The image, then its signatures and attestations under their tags.
  std::vector<std::pair<std::string, std::string>> manifests;  // tag, bytes
  ASSIGN_OR_RETURN(std::string image, layout->GetBlob(digest, 4 << 20));
  manifests.push_back({ref.reference, image});
  for (const char* suffix : {"sig", "att", "sbom"}) {
    std::string tag = CosignTag(digest, suffix);
    ASSIGN_OR_RETURN(std::optional<std::string> m, layout->GetManifest(tag));
    if (m) manifests.push_back({tag, *std::move(m)});
  }
  // Base layers already in another repository of this registry are mounted.
  std::string mount_from;
  json parsed = json::parse(image, nullptr, false);
  std::string base = StringAt(MemberAt(parsed, "annotations"),
                              "org.opencontainers.image.base.name");
  if (auto b = ParseRegistryRef(base); b.ok() && b->registry == ref.registry) {
    mount_from = b->repository;
  }
  for (const auto& [tag, bytes] : manifests) {
    ASSIGN_OR_RETURN(std::vector<BlobRef> blobs, Blobs(bytes, tag));
    for (const BlobRef& b : blobs) {
      std::string path =
          absl::StrCat(layout_dir, "/blobs/sha256/", b.digest.substr(7));
      ASSIGN_OR_RETURN(FileDigest got, Sha256File(path));
      if (got.digest != b.digest || got.size != b.size) {
        return absl::DataLossError(absl::StrCat(layout_dir, ": blob ", b.digest,
                                                " does not match its digest"));
      }
      RETURN_IF_ERROR(client.PutBlobFile(path, b.digest, b.size, mount_from));
      result.bytes += b.size;
    }
    json m = json::parse(bytes, nullptr, false);
    RETURN_IF_ERROR(client.PutManifest(
        tag, bytes, StringAt(m, "mediaType", kOciManifestType)));
    result.tags.push_back(tag);
  }
  result.mounted = client.mounted();
  return result;
}

}  // namespace dso
