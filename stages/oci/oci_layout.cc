#include "stages/oci/oci_layout.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/json_text.h"
#include "stages/core/relative_path.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/files/tar_dir.h"
#include "stages/oci/image_repo.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr uint64_t kMaxJsonBytes = 4 << 20;  // manifests, indexes, configs

absl::Status Bad(const std::string& where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

// Reads a JSON document; with a `digest`, the bytes must have it.
absl::StatusOr<json> ReadJson(const std::string& path, const std::string& name,
                              const std::string& digest = "") {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return Bad(name, "missing");
  if (size > kMaxJsonBytes) return Bad(name, "larger than 4 MiB");
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, FileKind::kManifest));
  if (!digest.empty() && Sha256Digest(text) != digest) {
    return Bad(name, "the blob does not match its digest");
  }
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || (!j.is_object() && !j.is_array())) {
    return Bad(name, "is not JSON");
  }
  return j;
}

// A descriptor's fields, checked.
absl::StatusOr<BlobRef> Descriptor(const json& d, const std::string& where) {
  if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string() ||
      !d.contains("size") || !d["size"].is_number_unsigned()) {
    return Bad(where, "a descriptor needs a digest and a size");
  }
  BlobRef r;
  r.digest = d["digest"].get<std::string>();
  if (!ParseSha256Digest(r.digest).ok()) {
    return Bad(where, absl::StrCat("unsupported digest '", r.digest,
                                   "' (sha256:<64 hex> expected)"));
  }
  r.size = d["size"].get<uint64_t>();
  if (d.contains("mediaType") && d["mediaType"].is_string()) {
    r.media_type = d["mediaType"].get<std::string>();
  }
  return r;
}

// Docker's layer media types name the same bytes as OCI's.
absl::StatusOr<std::string> LayerType(const std::string& type,
                                      const std::string& where) {
  if (type == kOciLayerGzipType ||
      type == "application/vnd.docker.image.rootfs.diff.tar.gzip") {
    return std::string(kOciLayerGzipType);
  }
  if (type == kOciLayerTarType ||
      type == "application/vnd.docker.image.rootfs.diff.tar") {
    return std::string(kOciLayerTarType);
  }
  if (type == "application/vnd.oci.image.layer.v1.tar+zstd") return type;
  return Bad(where, absl::StrCat("unsupported layer media type '", type, "'"));
}

std::string BlobIn(const std::string& dir, const std::string& digest) {
  return absl::StrCat(dir, "/blobs/sha256/", digest.substr(7));
}

absl::StatusOr<BaseImage> ReadOciLayout(const std::string& dir,
                                        const std::string& ref) {
  ASSIGN_OR_RETURN(json index, ReadJson(dir + "/index.json",
                                        absl::StrCat(dir, "/index.json")));
  std::string where = absl::StrCat(dir, "/index.json");
  // Follow indexes down to one image manifest.
  for (int depth = 0; depth < 4; ++depth) {
    if (!index.is_object() || !index.contains("manifests") ||
        !index["manifests"].is_array() || index["manifests"].empty()) {
      return Bad(where, "lists no manifests");
    }
    const json* chosen = nullptr;
    for (const json& m : index["manifests"]) {
      // Values of another type than expected count as missing.
      std::string name = StringAt(MemberAt(m, "annotations"),
                                  "org.opencontainers.image.ref.name");
      if (depth == 0 && !ref.empty()) {
        if (name != ref) continue;
      } else if (depth == 0 && IsCosignArtifactTag(name)) {
        continue;  // a signature or attestation beside the image
      } else if (const json& platform = MemberAt(m, "platform");
                 platform.is_object() &&
                 (StringAt(platform, "os") != "linux" ||
                  StringAt(platform, "architecture") != "amd64")) {
        continue;
      }
      chosen = &m;
      break;
    }
    if (!chosen) {
      return Bad(where, ref.empty() || depth > 0
                            ? "has no linux/amd64 image"
                            : absl::StrCat("has no image tagged '", ref, "'"));
    }
    ASSIGN_OR_RETURN(BlobRef d, Descriptor(*chosen, where));
    std::string path = BlobIn(dir, d.digest);
    ASSIGN_OR_RETURN(json doc, ReadJson(path, d.digest, d.digest));
    std::string type = StringAt(doc, "mediaType", d.media_type);
    if (type == kOciIndexType ||
        type == "application/vnd.docker.distribution.manifest.list.v2+json") {
      index = std::move(doc);
      where = d.digest;
      continue;
    }
    if (!doc.contains("config") || !doc.contains("layers") ||
        !doc["layers"].is_array()) {
      return Bad(d.digest, "is not an image manifest (no config or layers)");
    }
    BaseImage image;
    image.manifest_digest = d.digest;
    image.ref_name = StringAt(MemberAt(*chosen, "annotations"),
                              "org.opencontainers.image.ref.name");
    image.base_name = StringAt(MemberAt(doc, "annotations"),
                               "org.opencontainers.image.base.name");
    ASSIGN_OR_RETURN(BlobRef config, Descriptor(doc["config"], d.digest));
    config.path = BlobIn(dir, config.digest);
    ASSIGN_OR_RETURN(image.config_json,
                     ReadFile(config.path, FileKind::kManifest));
    if (Sha256Digest(image.config_json) != config.digest) {
      return Bad(config.digest, "the config does not match its digest");
    }
    for (const json& l : doc["layers"]) {
      ASSIGN_OR_RETURN(BlobRef layer, Descriptor(l, d.digest));
      ASSIGN_OR_RETURN(layer.media_type, LayerType(layer.media_type, d.digest));
      layer.path = BlobIn(dir, layer.digest);
      image.layers.push_back(std::move(layer));
    }
    return image;
  }
  return Bad(dir, "indexes nested too deep");
}

absl::StatusOr<BaseImage> ReadDockerArchive(const std::string& tar,
                                            const std::string& scratch) {
  std::string dir = scratch + "/base";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (absl::Status s = UnpackTar(tar, dir); !s.ok()) {
    return Bad(tar, s.message());
  }
  if (!fs::exists(dir + "/manifest.json") && fs::exists(dir + "/index.json")) {
    return ReadOciLayout(dir, "");  // an OCI layout packed as a tar
  }
  std::string where = absl::StrCat(tar, ": manifest.json");
  ASSIGN_OR_RETURN(json m, ReadJson(dir + "/manifest.json", where));
  if (!m.is_array() || m.size() != 1 || !m[0].is_object()) {
    return Bad(where, "must list exactly one image");
  }
  auto file = [&](const json& v) -> absl::StatusOr<std::string> {
    if (!v.is_string() || !IsSafeRelativePath(v.get<std::string>())) {
      return Bad(where, "names a file outside the archive");
    }
    std::string p = absl::StrCat(dir, "/", v.get<std::string>());
    if (!fs::is_regular_file(fs::symlink_status(p, ec))) {
      return Bad(where, absl::StrCat("names a missing file '",
                                     v.get<std::string>(), "'"));
    }
    return p;
  };
  BaseImage image;
  const json& tags = MemberAt(m[0], "RepoTags");
  if (tags.is_array() && !tags.empty() && tags[0].is_string()) {
    image.ref_name = tags[0].get<std::string>();
  }
  ASSIGN_OR_RETURN(std::string config, file(MemberAt(m[0], "Config")));
  ASSIGN_OR_RETURN(image.config_json, ReadFile(config, FileKind::kManifest));
  if (!m[0].contains("Layers") || !m[0]["Layers"].is_array()) {
    return Bad(where, "has no Layers");
  }
  for (const json& l : m[0]["Layers"]) {
    BlobRef layer;
    ASSIGN_OR_RETURN(layer.path, file(l));
    ASSIGN_OR_RETURN(FileDigest fd, Sha256File(layer.path));
    layer.digest = fd.digest;
    layer.size = fd.size;
    std::ifstream in(layer.path, std::ios::binary);
    char magic[2] = {0, 0};
    in.read(magic, 2);
    layer.media_type = (magic[0] == '\x1f' && magic[1] == '\x8b')
                           ? kOciLayerGzipType
                           : kOciLayerTarType;
    image.layers.push_back(std::move(layer));
  }
  return image;
}

}  // namespace

absl::StatusOr<BaseImage> ReadBaseImage(const std::string& path,
                                        const std::string& scratch,
                                        const std::string& ref) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (!fs::exists(path + "/oci-layout", ec)) {
      return Bad(path, "is not an OCI image layout (no oci-layout file)");
    }
    return ReadOciLayout(path, ref);
  }
  if (fs::is_regular_file(path, ec)) return ReadDockerArchive(path, scratch);
  return Bad(path,
             "no such image (an OCI layout directory or a docker "
             "archive .tar expected)");
}

absl::StatusOr<OciLayoutWriter> OciLayoutWriter::Create(
    const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("'", dir, "' exists"));
  }
  fs::create_directories(dir + "/blobs/sha256", ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create '", dir, "': ", ec.message()));
  }
  OciLayoutWriter w(dir);
  RETURN_IF_ERROR(WriteFileAtomically(dir + "/oci-layout",
                                      R"({"imageLayoutVersion":"1.0.0"})"));
  return w;
}

std::string OciLayoutWriter::BlobPath(absl::string_view digest) const {
  return BlobIn(dir_, std::string(digest));
}

absl::StatusOr<BlobRef> OciLayoutWriter::PutBytes(absl::string_view data,
                                                  absl::string_view type) {
  BlobRef r;
  r.media_type = std::string(type);
  r.digest = Sha256Digest(data);
  r.size = data.size();
  r.path = BlobPath(r.digest);
  RETURN_IF_ERROR(WriteFileAtomically(r.path, data));
  return r;
}

absl::Status OciLayoutWriter::CopyBlob(const BlobRef& ref) {
  std::error_code ec;
  if (!fs::is_regular_file(ref.path, ec)) {
    return Bad(ref.digest, "the blob is missing from the base image");
  }
  ASSIGN_OR_RETURN(FileDigest got, Sha256File(ref.path));
  if (got.digest != ref.digest || got.size != ref.size) {
    return Bad(ref.digest,
               absl::StrCat("the base image's blob does not match its "
                            "descriptor (it has ",
                            got.digest, ", ", got.size, " bytes)"));
  }
  std::string dest = BlobPath(ref.digest);
  fs::copy_file(ref.path, dest, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot write '", dest, "': ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status OciLayoutWriter::AdoptBlob(const std::string& path,
                                        const BlobRef& ref) {
  std::error_code ec;
  fs::rename(path, BlobPath(ref.digest), ec);
  if (ec) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot move the layer into '", dir_, "': ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status OciLayoutWriter::WriteIndex(const BlobRef& manifest,
                                         const std::string& tag) {
  json d = {{"mediaType", manifest.media_type},
            {"digest", manifest.digest},
            {"size", manifest.size}};
  if (!tag.empty()) {
    d["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  }
  json index = {{"schemaVersion", 2},
                {"mediaType", kOciIndexType},
                {"manifests", json::array({d})}};
  RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/index.json", index.dump()));
  return SyncDirectory(dir_);
}

absl::Status WriteDockerArchive(const std::string& layout_dir,
                                const std::string& config_digest,
                                const std::vector<std::string>& layer_digests,
                                const std::string& tag,
                                const std::string& archive_path) {
  auto rel = [](const std::string& digest) {
    return absl::StrCat("blobs/sha256/", digest.substr(7));
  };
  json entry = {{"Config", rel(config_digest)}, {"Layers", json::array()}};
  for (const auto& d : layer_digests) entry["Layers"].push_back(rel(d));
  if (!tag.empty()) {
    // docker load wants name:tag; a bare name means :latest.
    size_t colon = tag.rfind(':'), slash = tag.rfind('/');
    bool has_tag = colon != std::string::npos &&
                   (slash == std::string::npos || colon > slash);
    entry["RepoTags"] = {has_tag ? tag : tag + ":latest"};
  }
  RETURN_IF_ERROR(WriteFileAtomically(layout_dir + "/manifest.json",
                                      json::array({entry}).dump()));
  return PackDirectoryToFile(layout_dir, archive_path);
}

}  // namespace dso
