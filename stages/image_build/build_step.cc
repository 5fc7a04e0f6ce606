#include "stages/image_build/build_step.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"
#include "stages/core/step_context.h"
#include "stages/files/tar_dir.h"
#include "stages/image_build/image_builder.h"
#include "stages/oci/image_input.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<dso::v1::Result> Build(const dso::v1::RunStepRequest& request,
                                      StepContext& context) {
  const dso::v1::BuildParams& p = request.build();
  BuildSpec spec;
  ASSIGN_OR_RETURN(spec.context_dir, context.ResolveInput(p.context()));
  if (p.has_base()) {
    ASSIGN_OR_RETURN(spec.base, ResolveImageInput(context, p.base()));
  } else if (!p.base_registry_ref().empty()) {
    ASSIGN_OR_RETURN(spec.base,
                     PullForStep(p.base_registry_ref(), request, context));
    spec.base_name = p.base_registry_ref();
  }
  spec.base_ref = p.base_ref();
  if (!p.app_dir().empty()) spec.app_dir = p.app_dir();
  spec.entrypoint.assign(p.entrypoint().begin(), p.entrypoint().end());
  spec.cmd.assign(p.cmd().begin(), p.cmd().end());
  spec.env.assign(p.env().begin(), p.env().end());
  spec.user = p.user();
  spec.workdir = p.workdir();
  spec.expose.assign(p.expose().begin(), p.expose().end());
  spec.labels.insert(p.labels().begin(), p.labels().end());
  for (const auto& f : p.files()) {
    spec.files.push_back({f.source(), f.dest(), f.mode()});
  }
  spec.tag = p.tag();
  spec.epoch = p.source_date_epoch();

  const std::string& scratch = context.scratch_dir();
  std::string layout = scratch + "/image";
  ASSIGN_OR_RETURN(BuildResult built, BuildImage(spec, layout, scratch));
  for (const std::string& line :
       {absl::StrCat("build: ", built.layer_digests.size() - 1,
                     " base layer(s) from ",
                     spec.base.empty() ? "scratch" : spec.base, "\n"),
        absl::StrCat("build: layer ", built.layer.digest, " (", built.files,
                     " entries, ", built.layer.size, " bytes compressed)\n"),
        absl::StrCat("build: image ", built.manifest_digest, "\n")}) {
    context.Log(dso::v1::LogLine::AGENT, line);
  }
  dso::v1::Result result;
  std::string tar = scratch + "/" + kImageLayoutArtifact;
  RETURN_IF_ERROR(PackDirectoryToFile(layout, tar));
  ASSIGN_OR_RETURN(
      *result.add_artifacts(),
      context.PutArtifact(tar, kImageLayoutArtifact, "application/x-tar"));
  if (p.docker_archive()) {
    std::string docker = scratch + "/" + kDockerArchiveArtifact;
    RETURN_IF_ERROR(WriteDockerArchive(layout, built.config_digest,
                                       built.layer_digests, spec.tag, docker));
    ASSIGN_OR_RETURN(*result.add_artifacts(),
                     context.PutArtifact(docker, kDockerArchiveArtifact,
                                         "application/x-tar"));
  }
  result.set_outcome(dso::v1::SUCCEEDED);
  result.set_message(absl::StrCat("built ", built.manifest_digest));
  auto& out = *result.mutable_outputs();
  out["image.digest"] = built.manifest_digest;
  out["image.config"] = built.config_digest;
  out["image.layer"] = built.layer.digest;
  out["image.layer.diff_id"] = built.layer.diff_id;
  if (!spec.tag.empty()) out["image.tag"] = spec.tag;
  return result;
}

}  // namespace

absl::Status BuildStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.build();
  if (p.context().source_case() == dso::v1::Input::SOURCE_NOT_SET) {
    return absl::InvalidArgumentError("build.context is required");
  }
  if (p.source_date_epoch() < 0) {
    return absl::InvalidArgumentError(
        "build.source_date_epoch must not be negative");
  }
  if (!p.app_dir().empty() && p.app_dir().front() != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "build.app_dir '", p.app_dir(), "' must be an absolute path"));
  }
  for (const auto& f : p.files()) {
    if (f.dest().empty() || f.dest().front() != '/') {
      return absl::InvalidArgumentError(
          absl::StrCat("build.files '", f.source(), "': the destination '",
                       f.dest(), "' must be an absolute path in the image"));
    }
    if (f.mode() < -1 || f.mode() > 07777) {
      return absl::InvalidArgumentError(absl::StrCat(
          "build.files '", f.source(), "': mode ", f.mode(), " is not a mode"));
    }
  }
  return absl::OkStatus();
}

dso::v1::Result BuildStep::Run(const dso::v1::RunStepRequest& request,
                               StepContext& context) const {
  auto result = Build(request, context);
  return result.ok() ? *std::move(result) : ErrorResult(result.status());
}

}  // namespace dso
