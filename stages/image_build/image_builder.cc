#include "stages/image_build/image_builder.h"

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/status_macros.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string Rfc3339(int64_t epoch) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(epoch),
                          absl::UTCTimeZone());
}

// The base's config with ours merged over it.
absl::StatusOr<json> MergeConfig(const BuildSpec& spec,
                                 const std::string& base_json,
                                 const std::vector<std::string>& diff_ids) {
  json config = json::object();
  if (!base_json.empty()) {
    config = json::parse(base_json, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(spec.base, ": the image config is not a JSON object"));
    }
  }
  config["architecture"] = StringAt(config, "architecture", "amd64");
  config["os"] = StringAt(config, "os", "linux");
  config["created"] = Rfc3339(spec.epoch);
  json& c = config["config"];
  if (!c.is_object()) c = json::object();
  // Env: ours replace the base's of the same name, in place.
  json env = c.value("Env", json::array());
  if (!env.is_array()) env = json::array();
  for (const std::string& kv : spec.env) {
    size_t eq = kv.find('=');
    if (eq == 0 || eq == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--env '", kv, "' is not NAME=VALUE"));
    }
    std::string prefix = kv.substr(0, eq + 1);
    bool replaced = false;
    for (json& e : env) {
      if (e.is_string() && e.get<std::string>().rfind(prefix, 0) == 0) {
        e = kv;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(kv);
  }
  if (!env.empty()) c["Env"] = env;
  if (!spec.entrypoint.empty()) {
    c["Entrypoint"] = spec.entrypoint;
    // A new entrypoint drops the base's arguments for it, as docker does.
    if (spec.cmd.empty()) c.erase("Cmd");
  }
  if (!spec.cmd.empty()) c["Cmd"] = spec.cmd;
  if (!spec.user.empty()) c["User"] = spec.user;
  c["WorkingDir"] = spec.workdir.empty() ? spec.app_dir : spec.workdir;
  for (const std::string& port : spec.expose) {
    c["ExposedPorts"]
     [port.find('/') == std::string::npos ? port + "/tcp" : port] =
         json::object();
  }
  for (const auto& [k, v] : spec.labels) c["Labels"][k] = v;
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  json history = config.value("history", json::array());
  if (!history.is_array()) history = json::array();
  history.push_back({{"created", Rfc3339(spec.epoch)},
                     {"created_by", "dso build"},
                     {"comment", absl::StrCat("context at ", spec.app_dir)}});
  config["history"] = history;
  return config;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseCommandLine(
    const std::string& text, const std::string& what) {
  if (!text.empty() && text.front() == '[') {
    json j = json::parse(text, nullptr, false);
    std::vector<std::string> out;
    if (j.is_array()) {
      for (const json& a : j) {
        if (!a.is_string()) break;
        out.push_back(a.get<std::string>());
      }
      if (out.size() == j.size()) return out;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(what, " '", text, "' is not a JSON array of strings"));
  }
  return std::vector<std::string>(absl::StrSplit(text, ' ', absl::SkipEmpty()));
}

absl::StatusOr<int64_t> ParseSourceDateEpoch(const std::string& value) {
  int64_t epoch = 0;
  if (!value.empty() && (!absl::SimpleAtoi(value, &epoch) || epoch < 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SOURCE_DATE_EPOCH '", value, "' is not a number of seconds"));
  }
  return epoch;
}

absl::StatusOr<BuildResult> BuildImage(const BuildSpec& spec,
                                       const std::string& out_dir,
                                       const std::string& scratch) {
  ASSIGN_OR_RETURN(
      std::vector<LayerEntry> entries,
      CollectLayerEntries(spec.context_dir, spec.app_dir, spec.files));
  BaseImage base;
  if (!spec.base.empty() && spec.base != "scratch") {
    ASSIGN_OR_RETURN(base, ReadBaseImage(spec.base, scratch, spec.base_ref));
  }
  ASSIGN_OR_RETURN(OciLayoutWriter out, OciLayoutWriter::Create(out_dir));
  BuildResult result;
  result.files = entries.size();
  std::string layer_tmp = out_dir + "/blobs/layer.tmp";
  ASSIGN_OR_RETURN(result.layer, WriteLayer(entries, spec.epoch, layer_tmp));
  BlobRef ours{kOciLayerGzipType, result.layer.digest, result.layer.size, ""};
  RETURN_IF_ERROR(out.AdoptBlob(layer_tmp, ours));

  std::vector<std::string> diff_ids;
  if (!base.config_json.empty()) {
    json bc = json::parse(base.config_json, nullptr, false);
    auto ids = bc.is_object() ? bc.value(json::json_pointer("/rootfs/diff_ids"),
                                         json::array())
                              : json::array();
    if (!ids.is_array() || ids.size() != base.layers.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          spec.base, ": the config's rootfs.diff_ids do not match its ",
          base.layers.size(), " layers"));
    }
    for (const json& id : ids) {
      if (!id.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(spec.base, ": a diff_id is not a string"));
      }
      diff_ids.push_back(id.get<std::string>());
    }
  }
  diff_ids.push_back(result.layer.diff_id);
  ASSIGN_OR_RETURN(json config, MergeConfig(spec, base.config_json, diff_ids));
  ASSIGN_OR_RETURN(BlobRef config_ref,
                   out.PutBytes(config.dump(), kOciConfigType));
  result.config_digest = config_ref.digest;

  json layers = json::array();
  for (const BlobRef& l : base.layers) {
    RETURN_IF_ERROR(out.CopyBlob(l));
    layers.push_back(
        {{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.size}});
    result.layer_digests.push_back(l.digest);
  }
  layers.push_back({{"mediaType", ours.media_type},
                    {"digest", ours.digest},
                    {"size", ours.size}});
  result.layer_digests.push_back(ours.digest);
  json annotations = {
      {"org.opencontainers.image.created", Rfc3339(spec.epoch)}};
  if (!base.manifest_digest.empty()) {
    annotations["org.opencontainers.image.base.digest"] = base.manifest_digest;
  }
  std::string base_name =
      spec.base_name.empty() ? base.ref_name : spec.base_name;
  if (!base_name.empty()) {
    annotations["org.opencontainers.image.base.name"] = base_name;
  }
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", kOciManifestType},
                   {"config",
                    {{"mediaType", kOciConfigType},
                     {"digest", config_ref.digest},
                     {"size", config_ref.size}}},
                   {"layers", layers},
                   {"annotations", annotations}};
  ASSIGN_OR_RETURN(BlobRef manifest_ref,
                   out.PutBytes(manifest.dump(), kOciManifestType));
  RETURN_IF_ERROR(out.WriteIndex(manifest_ref, spec.tag));
  result.manifest_digest = manifest_ref.digest;
  result.manifest_size = manifest_ref.size;
  return result;
}

}  // namespace dso
