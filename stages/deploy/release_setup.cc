#include "stages/deploy/release_setup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/json_text.h"
#include "stages/core/status_macros.h"
#include "stages/deploy/app_user.h"
#include "stages/deploy/releases.h"
#include "stages/deploy/rootfs_unpack.h"
#include "stages/rasp/policy.h"
#include "stages/rasp/sandbox.h"

namespace dso {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || !it->is_array()) return {};
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string ReleaseJson(const std::string& dir, const std::string& id) {
  return ReleasePath(dir, id) + "/release.json";
}

// Fails when the user `user` (numeric UID[:GID]) could not get to `path`:
// a directory on the way without search permission for it.
absl::Status CheckReachable(const std::string& path, const std::string& user) {
  uint32_t uid = 0, gid = 0;
  if (!NumericUser(user, &uid, &gid)) return absl::OkStatus();  // a name
  if (uid == 0) return absl::OkStatus();
  for (fs::path p = fs::path(path); !p.empty() && p != p.root_path();
       p = p.parent_path()) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) continue;
    mode_t bit = st.st_uid == uid   ? S_IXUSR
                 : st.st_gid == gid ? S_IXGRP
                                    : S_IXOTH;
    if (S_ISDIR(st.st_mode) && !(st.st_mode & bit)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the application runs as user ", user, ", which cannot enter ",
          p.string(), " (mode ", absl::StrFormat("%04o", st.st_mode & 07777),
          "); let it in, or give the target another user"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool NumericUser(const std::string& user, uint32_t* uid, uint32_t* gid) {
  std::vector<std::string> ids = absl::StrSplit(user, ':');
  if (!absl::SimpleAtoi(ids[0], uid)) return false;
  if (ids.size() < 2 || !absl::SimpleAtoi(ids[1], gid)) *gid = *uid;
  return true;
}

absl::StatusOr<AppSpec> SetUpRelease(const ReleaseInputs& in,
                                     const DeployTarget& target,
                                     const Admission& admission,
                                     std::string* summary) {
  std::string release = ReleasePath(in.dir, in.release_id);
  std::string rootfs = release + "/rootfs";
  if (mkdir(rootfs.c_str(), 0755) != 0) {
    return absl::InternalError("creating " + rootfs);
  }
  UnpackOptions unpack;
  unpack.include = target.include;
  ASSIGN_OR_RETURN(UnpackResult unpacked,
                   UnpackLayers(admission.image.layers, rootfs, unpack));
  *summary = absl::StrCat(unpacked.files, " files, ", unpacked.bytes,
                          " bytes unpacked");
  for (const std::string& skipped : unpacked.skipped) {
    absl::StrAppend(summary, "\n  skipped ", skipped);
  }

  json config = json::parse(admission.image.config_json, nullptr, false);
  json cfg = config.is_object() && config.contains("config") &&
                     config["config"].is_object()
                 ? config["config"]
                 : json::object();
  AppSpec spec;
  spec.deployment = target.name;
  spec.port = in.port;
  spec.argv = target.command;
  if (spec.argv.empty()) {
    spec.argv = Strings(cfg, "Entrypoint");
    for (const std::string& c : Strings(cfg, "Cmd")) spec.argv.push_back(c);
  }
  if (spec.argv.empty()) {
    return absl::InvalidArgumentError(
        "the image has no entrypoint or command, and the target gives none");
  }
  for (std::string& arg : spec.argv) {
    std::error_code ec;
    if (absl::StartsWith(arg, "/") && fs::exists(rootfs + arg, ec)) {
      arg = rootfs + arg;
    }
  }
  std::string workdir = StringAt(cfg, "WorkingDir");
  std::error_code ec;
  spec.cwd = !workdir.empty() && fs::is_directory(rootfs + workdir, ec)
                 ? fs::path(rootfs + workdir).lexically_normal().string()
                 : rootfs;
  if (spec.cwd.size() > 1 && spec.cwd.back() == '/') spec.cwd.pop_back();
  spec.rasp_policy = release + "/rasp-policy.yaml";
  std::string policy_text = "mode: monitor\n";
  if (!in.rasp_policy.empty()) {
    ASSIGN_OR_RETURN(policy_text, ReadFile(in.rasp_policy, FileKind::kConfig));
  }
  RETURN_IF_ERROR(WriteFileAtomically(spec.rasp_policy, policy_text));
  ASSIGN_OR_RETURN(
      RaspPolicy policy,
      ParseRaspPolicy(policy_text,
                      in.rasp_policy.empty() ? "(default)" : in.rasp_policy,
                      spec.cwd));
  RETURN_IF_ERROR(CheckSandboxNames(policy, in.rasp_policy));

  ASSIGN_OR_RETURN(spec.user,
                   ChooseAppUser(in.dir, in.app_users_dir, target.user,
                                 StringAt(cfg, "User"), policy.allow_root));

  if (!spec.user.empty()) RETURN_IF_ERROR(CheckReachable(spec.cwd, spec.user));

  std::vector<std::string> env = Strings(cfg, "Env");
  bool has_path = false;
  for (const std::string& e : env) has_path |= absl::StartsWith(e, "PATH=");
  if (!has_path) env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  env.insert(env.end(), target.env.begin(), target.env.end());
  if (in.port) env.push_back(absl::StrCat("PORT=", in.port));
  env.push_back("DSO_DEPLOYMENT=" + target.name);
  env.push_back("DSO_RELEASE=" + in.release_id);
  env.push_back("DSO_IMAGE_DIGEST=" + admission.digest);
  spec.env = env;

  // Shared directories: one per target, linked into every release.
  for (const std::string& name : target.shared) {
    if (name.empty() || name.find("..") != std::string::npos ||
        name[0] == '/') {
      return absl::InvalidArgumentError("shared directory '" + name +
                                        "' must be a relative name");
    }
    std::string shared = in.dir + "/shared/" + name;
    fs::create_directories(shared, ec);
    if (ec) return absl::InternalError("creating " + shared);
    // As root, handed over here; otherwise dso-run grants it (--hand-over).
    uint32_t uid = 0, gid = 0;
    if (geteuid() == 0 && NumericUser(spec.user, &uid, &gid) &&
        chown(shared.c_str(), uid, gid) != 0) {
      return absl::InternalError("handing " + shared + " to " + spec.user);
    }
    std::string link = spec.cwd + "/" + name;
    fs::remove_all(link, ec);
    fs::create_directories(fs::path(link).parent_path(), ec);
    fs::create_symlink(shared, link, ec);
    if (ec) return absl::InternalError("linking " + link + ": " + ec.message());
  }

  json record;
  record["image"] = in.image_name;
  record["digest"] = admission.digest;
  record["verified"] = admission.verified_types;
  record["created"] =
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  record["app"] = json::parse(AppSpecToJson(spec));
  RETURN_IF_ERROR(WriteFileAtomically(ReleaseJson(in.dir, in.release_id),
                                      record.dump(2) + "\n"));
  return spec;
}

std::string ImageConfigUser(const BaseImage& image) {
  json config = json::parse(image.config_json, nullptr, false);
  if (!config.is_object() || !config.contains("config") ||
      !config["config"].is_object()) {
    return "";
  }
  return StringAt(config["config"], "User");
}

absl::StatusOr<AppSpec> ReadReleaseSpec(const std::string& dir,
                                        const std::string& release_id) {
  ASSIGN_OR_RETURN(std::string text,
                   ReadFile(ReleaseJson(dir, release_id), FileKind::kManifest));
  json record = json::parse(text, nullptr, false);
  if (record.is_discarded() || !record.contains("app")) {
    return absl::DataLossError("release " + release_id +
                               ": release.json is damaged");
  }
  return AppSpecFromJson(record["app"].dump());
}

void MarkReleaseFailed(const std::string& dir, const std::string& release_id,
                       const std::string& why) {
  auto text = ReadFile(ReleaseJson(dir, release_id), FileKind::kManifest);
  json record = text.ok() ? json::parse(*text, nullptr, false) : json();
  if (!record.is_object()) record = json::object();
  record["failed"] = why;
  (void)WriteFileAtomically(ReleaseJson(dir, release_id),
                            record.dump(2) + "\n");
}

}  // namespace dso
