#include "stages/attest/provenance.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {

absl::StatusOr<std::string> SlsaProvenance(
    ImageRepo& repo, const std::string& image_digest,
    const std::map<std::string, std::string>& context) {
  using json = nlohmann::ordered_json;
  auto get = [&](const char* name) {
    auto it = context.find(name);
    return it == context.end() ? std::string() : it->second;
  };
  ASSIGN_OR_RETURN(std::optional<std::string> manifest_text,
                   repo.GetManifest(image_digest));
  json manifest = json::parse(manifest_text.value_or(""), nullptr, false);
  auto annotation = [&](const char* key) {
    return StringAt(MemberAt(manifest, "annotations"), key);
  };

  json external = {
      {"image", repo.Identity().empty()
                    ? image_digest
                    : absl::StrCat(repo.Identity(), "@", image_digest)}};
  json deps = json::array();
  if (!get("GIT_URL").empty()) {
    json source = {{"uri", get("GIT_URL")}};
    if (!get("GIT_COMMIT").empty()) source["revision"] = get("GIT_COMMIT");
    if (!get("BRANCH_NAME").empty()) source["branch"] = get("BRANCH_NAME");
    external["source"] = source;
    json dep = {{"uri", absl::StrCat("git+", get("GIT_URL"))}};
    if (!get("GIT_COMMIT").empty()) {
      dep["digest"] = {{"gitCommit", get("GIT_COMMIT")}};
    }
    deps.push_back(dep);
  }
  if (!get("JOB_NAME").empty()) external["job"] = get("JOB_NAME");
  std::string base_digest = annotation("org.opencontainers.image.base.digest");
  if (ParseSha256Digest(base_digest).ok()) {
    std::string name = annotation("org.opencontainers.image.base.name");
    deps.push_back({{"uri", name.empty() ? "oci:base" : "oci://" + name},
                    {"digest", {{"sha256", base_digest.substr(7)}}}});
  }
  json build_definition = {{"buildType", kDsoBuildType},
                           {"externalParameters", external}};
  if (!get("SOURCE_DATE_EPOCH").empty()) {
    build_definition["internalParameters"] = {
        {"sourceDateEpoch", get("SOURCE_DATE_EPOCH")}};
  }
  if (!deps.empty()) build_definition["resolvedDependencies"] = deps;

  std::string builder = get("DSO_BUILDER_ID");
  if (builder.empty() && !get("JENKINS_URL").empty())
    builder = get("JENKINS_URL");
  if (builder.empty()) builder = "https://dso.dev/dso-agent";
  json metadata = {
      {"startedOn", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                                     absl::UTCTimeZone())}};
  if (!get("BUILD_URL").empty()) metadata["invocationId"] = get("BUILD_URL");
  json predicate = {
      {"buildDefinition", build_definition},
      {"runDetails", {{"builder", {{"id", builder}}}, {"metadata", metadata}}}};
  return predicate.dump();
}

}  // namespace dso
