#include "stages/store/store_step.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/secrets.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/core/step_context.h"
#include "stages/files/tar_dir.h"
#include "stages/oci/image_input.h"
#include "stages/oci/image_repo.h"
#include "stages/oci/registry.h"
#include "stages/store/object_store.h"
#include "stages/store/store_allowlist.h"

namespace dso {
namespace {

constexpr char kOci[] = "oci://";

// The registry an oci:// URL names, and the options to reach it with: the
// request's credentials, else the agent's bound to that repository (none
// when the request asked for plain HTTP to it).
absl::StatusOr<RegistryRef> OciRef(const dso::v1::RunStepRequest& request,
                                   const StepContext& context,
                                   RegistryOptions* options) {
  const auto& p = request.store();
  ASSIGN_OR_RETURN(RegistryRef ref,
                   ParseRegistryRef(p.url().substr(sizeof(kOci) - 1)));
  const auto& insecure = p.insecure_registries();
  bool plain = std::find(insecure.begin(), insecure.end(), ref.registry) !=
               insecure.end();
  *options = RegistryOptionsFrom(
      RequestSecrets(request, context, RegistryDestination(ref), plain));
  if (plain) options->plain_http = true;
  return ref;
}

// file:// stores only beneath the agent's store roots.
StoreOptions ConfinedStoreOptions(StepContext& context) {
  StoreOptions options;
  options.local_dir = [&context](const std::string& dir) {
    return context.ResolveAgentPath("file:// store", dir,
                                    StepContext::PathUse::kStore);
  };
  return options;
}

absl::StatusOr<dso::v1::Result> Put(const dso::v1::RunStepRequest& request,
                                    StepContext& context) {
  const auto& p = request.store();
  dso::v1::Result result;
  auto& out = *result.mutable_outputs();
  if (absl::StartsWith(p.url(), kOci)) {
    ASSIGN_OR_RETURN(std::string path, context.ResolveInput(p.source()));
    RegistryOptions options;
    ASSIGN_OR_RETURN(RegistryRef ref, OciRef(request, context, &options));
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("store: pushing to ", ref.ToString(), "\n"));
    ASSIGN_OR_RETURN(PushResult pushed,
                     PushImage(path, p.layout_ref(), ref, options));
    for (const std::string& tag : pushed.tags) {
      context.Log(dso::v1::LogLine::AGENT,
                  absl::StrCat("store: pushed ", ref.registry, "/",
                               ref.repository, ":", tag, "\n"));
    }
    out["image.digest"] = pushed.digest;
    out["url"] = absl::StrCat(kOci, ref.registry, "/", ref.repository, "@",
                              pushed.digest);
    out["tags"] = absl::StrJoin(pushed.tags, ",");
    out["bytes"] = absl::StrCat(pushed.bytes);
    out["mounted"] = absl::StrCat(pushed.mounted);
    result.set_message(absl::StrCat("pushed ", pushed.digest));
  } else {
    ASSIGN_OR_RETURN(std::string path, ResolveFileInput(context, p.source()));
    StoreOptions options = ConfinedStoreOptions(context);
    options.local_name = p.source_name().substr(p.source_name().rfind('/') + 1);
    ASSIGN_OR_RETURN(
        auto store, OpenObjectStore(p.url(), options,
                                    RequestSecrets(request, context, p.url())));
    ASSIGN_OR_RETURN(StoredObject stored, store->Put(path));
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("store: ", stored.url, " ", stored.digest, " (",
                             stored.size, " bytes, verified)\n"));
    out["url"] = stored.url;
    out["digest"] = stored.digest;
    out["size"] = absl::StrCat(stored.size);
    result.set_message(absl::StrCat("stored ", stored.url));
  }
  result.set_outcome(dso::v1::SUCCEEDED);
  return result;
}

absl::StatusOr<dso::v1::Result> Get(
    const dso::v1::RunStepRequest& request, StepContext& context,
    const std::optional<StoreAllowlist>& agent) {
  const auto& p = request.store();
  ASSIGN_OR_RETURN(StoreAllowlist requested,
                   ParseStoreAllowlist(p.allowlist_yaml(), p.allowlist_name()));
  // Both lists apply: the agent's (its operator's) and the request's.
  struct Both {
    const StoreAllowlist& a;
    const std::optional<StoreAllowlist>& b;
    absl::Status CheckStore(const std::string& url) const {
      absl::Status s = b ? b->CheckStore(url) : absl::OkStatus();
      return s.ok() ? a.CheckStore(url) : s;
    }
    absl::Status CheckArtifact(const std::string& url,
                               const std::string& digest) const {
      absl::Status s = b ? b->CheckArtifact(url, digest) : absl::OkStatus();
      return s.ok() ? a.CheckArtifact(url, digest) : s;
    }
  } allow{requested, agent};
  dso::v1::Result result;
  auto& out = *result.mutable_outputs();
  absl::Status allowed = allow.CheckStore(p.url());
  std::string digest;
  std::string file, artifact;
  if (allowed.ok() && absl::StartsWith(p.url(), kOci)) {
    RegistryOptions options;
    ASSIGN_OR_RETURN(RegistryRef ref, OciRef(request, context, &options));
    std::string layout = context.scratch_dir() + "/pulled";
    RETURN_IF_ERROR(PullImage(ref, options, layout, true));
    ASSIGN_OR_RETURN(auto repo, OpenLayoutRepo(layout));
    ASSIGN_OR_RETURN(digest, repo->ResolveImage());
    if (!p.expected_digest().empty() && digest != p.expected_digest()) {
      return absl::DataLossError(absl::StrCat(
          p.url(), " is ", digest, ", not the expected ", p.expected_digest()));
    }
    file = context.scratch_dir() + "/" + kStoredImageArtifact;
    artifact = kStoredImageArtifact;
    allowed = allow.CheckArtifact(p.url(), digest);
    if (allowed.ok()) RETURN_IF_ERROR(PackDirectoryToFile(layout, file));
    out["image.digest"] = digest;
  } else if (allowed.ok()) {
    StoreOptions options = ConfinedStoreOptions(context);
    ASSIGN_OR_RETURN(
        auto store, OpenObjectStore(p.url(), options,
                                    RequestSecrets(request, context, p.url())));
    file = context.scratch_dir() + "/" + kStoredObjectArtifact;
    ASSIGN_OR_RETURN(StoredObject got, store->Get(file, p.expected_digest()));
    digest = got.digest;
    artifact = kStoredObjectArtifact;
    allowed = allow.CheckArtifact(p.url(), digest);
    out["size"] = absl::StrCat(got.size);
  }
  if (!allowed.ok()) {
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("store: REFUSED: ", allowed.message(), "\n"));
    result.set_outcome(dso::v1::POLICY_FAILED);
    result.set_message(std::string(allowed.message()));
    return result;
  }
  context.Log(
      dso::v1::LogLine::AGENT,
      absl::StrCat("store: fetched ", p.url(), " ", digest, " (verified)\n"));
  ASSIGN_OR_RETURN(
      *result.add_artifacts(),
      context.PutArtifact(file, artifact, "application/octet-stream"));
  out["url"] = p.url();
  out["digest"] = digest;
  result.set_outcome(dso::v1::SUCCEEDED);
  result.set_message(absl::StrCat("fetched ", digest));
  return result;
}

}  // namespace

absl::Status StoreStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.store();
  if (p.op() != "put" && p.op() != "get") {
    return absl::InvalidArgumentError("store.op must be put or get");
  }
  if (p.url().empty()) {
    return absl::InvalidArgumentError("store.url is required");
  }
  if (p.op() == "put" &&
      p.source().source_case() == dso::v1::Input::SOURCE_NOT_SET) {
    return absl::InvalidArgumentError("store put needs a source");
  }
  if (!p.expected_digest().empty()) {
    RETURN_IF_ERROR(ParseSha256Digest(p.expected_digest()).status());
  }
  return ParseStoreAllowlist(p.allowlist_yaml(), p.allowlist_name()).status();
}

dso::v1::Result StoreStep::Run(const dso::v1::RunStepRequest& request,
                               StepContext& context) const {
  absl::StatusOr<dso::v1::Result> r =
      request.store().op() == "put" ? Put(request, context)
                                    : Get(request, context, agent_allowlist_);
  return r.ok() ? *std::move(r) : ErrorResult(r.status());
}

}  // namespace dso
