#include "stages/scan/scan_step.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/atomic_file.h"
#include "stages/core/finding.h"
#include "stages/core/report.h"
#include "stages/core/status_macros.h"
#include "stages/oci/image_input.h"
#include "stages/oci/registry.h"
#include "stages/scan/deps/db_step.h"
#include "stages/scan/scan_image.h"
#include "stages/scan/scan_names.h"
#include "stages/scan/scan_parts.h"

namespace dso {
namespace {

const ToolInfo kTool{"dso", "0.1.0", "https://github.com/dso-project/dso"};
// Each worker holds a 4 MiB read buffer; more threads than this buy nothing.
constexpr uint32_t kMaxThreads = 64;
// Deeper nesting of encodings than this is not worth a rescan.
constexpr uint32_t kMaxDecodeDepth = 16;

}  // namespace

std::string ScanReportName(absl::string_view format) {
  if (format == "sarif") return "findings.sarif";
  if (format == "gitleaks") return "findings-gitleaks.json";
  if (format == "cyclonedx") return "sbom.cdx.json";
  return "findings.json";
}

std::string LegacyScanReportName(absl::string_view format) {
  if (format == "sarif") return "secrets.sarif";
  if (format == "gitleaks") return "secrets-gitleaks.json";
  if (format == "cyclonedx") return "";
  return "secrets.json";
}

absl::Status ScanStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.scan();
  const bool has_target =
      p.target().source_case() != dso::v1::Input::SOURCE_NOT_SET;
  const bool has_image = p.has_image() || !p.registry_ref().empty();
  if (p.has_image() && !p.registry_ref().empty()) {
    return absl::InvalidArgumentError(
        "scan.image and scan.registry_ref name two images; give one");
  }
  if (!p.registry_ref().empty()) {
    RETURN_IF_ERROR(ParseRegistryRef(p.registry_ref()).status());
  }
  if (has_target == has_image) {
    return absl::InvalidArgumentError(
        "scan needs either scan.target (a directory) or scan.image, not "
        "both");
  }
  if (has_image && p.git()) {
    return absl::InvalidArgumentError("scan.git applies to directories only");
  }
  if (!p.has_image() && std::find(p.scanners().begin(), p.scanners().end(),
                                  "image") != p.scanners().end()) {
    return absl::InvalidArgumentError(
        "scanner 'image' needs an image to scan (--image)");
  }
  if (has_image && std::find(p.scanners().begin(), p.scanners().end(), "iac") !=
                       p.scanners().end()) {
    return absl::InvalidArgumentError(
        "scanner 'iac' reads a directory (--path), not an image");
  }
  if (p.threads() > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scan.threads ", p.threads(), " is more than ", kMaxThreads));
  }
  if (p.secrets().max_decode_depth() > kMaxDecodeDepth) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scan.secrets.max_decode_depth ", p.secrets().max_decode_depth(),
        " is more than ", kMaxDecodeDepth));
  }
  for (const auto& s : p.scanners()) {
    if (!absl::c_linear_search(ScannerNames(), s)) {
      return absl::InvalidArgumentError(
          absl::StrCat("scanner '", s, "' is not available (available: ",
                       absl::StrJoin(ScannerNames(), ", "), ")"));
    }
  }
  for (const auto& f : p.reports()) {
    if (!absl::c_linear_search(ReportFormatNames(), f)) {
      return absl::InvalidArgumentError(
          absl::StrCat("report format '", f, "' is unknown (known: ",
                       absl::StrJoin(ReportFormatNames(), ", "), ")"));
    }
  }
  return absl::OkStatus();
}

namespace {

using Take = std::function<absl::Status(absl::StatusOr<ScannerOutput>)>;

absl::Status ScanDirectoryTarget(const dso::v1::ScanParams& p, bool all,
                                 const std::set<std::string>& wanted,
                                 const Take& take, StepContext& context,
                                 const ScanDirs& dirs) {
  ASSIGN_OR_RETURN(std::string root, context.ResolveInput(p.target()));
  if (all || wanted.count("secrets")) {
    RETURN_IF_ERROR(take(ScanSecrets(p, root, context, dirs)));
  }
  if (context.cancellation().cancelled()) return absl::OkStatus();
  if (all || wanted.count("deps") || p.sbom()) {
    // One file (a lockfile) is read in place (CollectInventory).
    RETURN_IF_ERROR(
        take(ScanDeps(p, root, context, dirs, wanted.count("deps") > 0)));
  }
  if (context.cancellation().cancelled()) return absl::OkStatus();
  // Only when named, for now: "all" keeps meaning what it meant.
  if (wanted.count("iac")) RETURN_IF_ERROR(take(ScanIac(root, context)));
  return absl::OkStatus();
}

absl::Status ScanImageTarget(const dso::v1::RunStepRequest& request, bool all,
                             const std::set<std::string>& wanted,
                             const Take& take, StepContext& context,
                             const ScanDirs& dirs) {
  const dso::v1::ScanParams& p = request.scan();
  std::string path;
  if (p.registry_ref().empty()) {
    ASSIGN_OR_RETURN(path, ResolveImageInput(context, p.image()));
  } else {
    ASSIGN_OR_RETURN(path, PullForStep(p.registry_ref(), request, context));
  }
  ImageScanners which;
  which.secrets = all || wanted.count("secrets");
  which.deps = all || wanted.count("deps") || p.sbom();
  which.deps_asked = wanted.count("deps") > 0;
  which.checks = all || wanted.count("image");
  ASSIGN_OR_RETURN(std::vector<ScannerOutput> outputs,
                   ScanImage(p, path, which, context, dirs));
  for (auto& out : outputs) RETURN_IF_ERROR(take(std::move(out)));
  return absl::OkStatus();
}

}  // namespace

dso::v1::Result ScanStep::Run(const dso::v1::RunStepRequest& request,
                              StepContext& context) const {
  const auto& p = request.scan();
  std::set<std::string> wanted(p.scanners().begin(), p.scanners().end());
  const bool all = wanted.empty() || wanted.count("all");
  std::vector<dso::v1::Finding> findings;
  std::vector<std::string> summaries;
  std::string gitleaks, sbom;
  uint64_t unreadable = 0;
  std::vector<std::string> unread_lockfiles;
  auto take = [&](absl::StatusOr<ScannerOutput> out) -> absl::Status {
    if (!out.ok()) return out.status();
    for (auto& f : out->findings) {
      dso::v1::Event e;
      *e.mutable_finding() = f;
      context.Emit(std::move(e));
      findings.push_back(std::move(f));
    }
    if (!out->summary.empty()) {
      context.Log(dso::v1::LogLine::AGENT, out->summary + "\n");
      summaries.push_back(out->summary);
    }
    if (!out->gitleaks.empty()) gitleaks = std::move(out->gitleaks);
    if (!out->sbom.empty()) sbom = std::move(out->sbom);
    unreadable += out->unreadable;
    for (auto& u : out->unread_lockfiles) {
      unread_lockfiles.push_back(std::move(u));
    }
    return absl::OkStatus();
  };
  absl::Status scanned =
      p.has_image() || !p.registry_ref().empty()
          ? ScanImageTarget(request, all, wanted, take, context, dirs_)
          : ScanDirectoryTarget(p, all, wanted, take, context, dirs_);
  if (context.cancellation().cancelled()) {
    dso::v1::Result r;
    r.set_outcome(dso::v1::CANCELLED);
    r.set_message(context.cancellation().message());
    return r;
  }
  if (!scanned.ok()) return ErrorResult(scanned);
  std::string summary = absl::StrJoin(summaries, "; ");

  dso::v1::Result result;
  for (const auto& format : p.reports()) {
    std::string text = format == "sarif" ? SarifReport(kTool, findings)
                       : format == "gitleaks"
                           ? (gitleaks.empty() ? "[]" : gitleaks)
                           : JsonReport(kTool, findings);
    std::string path =
        absl::StrCat(context.scratch_dir(), "/", ScanReportName(format));
    absl::Status w = WriteFileAtomically(path, text);
    if (!w.ok()) return ErrorResult(w);
    auto a = context.PutArtifact(
        path, ScanReportName(format),
        format == "sarif" ? "application/sarif+json" : "application/json");
    if (!a.ok()) return ErrorResult(a.status());
    *result.add_artifacts() = *a;
    // The same report under its old name too, for clients of before the
    // rename (until the next release); the store keeps one blob.
    std::string legacy_path =
        absl::StrCat(context.scratch_dir(), "/", LegacyScanReportName(format));
    if (absl::Status w = WriteFileAtomically(legacy_path, text); !w.ok()) {
      return ErrorResult(w);
    }
    auto legacy = context.PutArtifact(
        legacy_path, LegacyScanReportName(format),
        format == "sarif" ? "application/sarif+json" : "application/json");
    if (!legacy.ok()) return ErrorResult(legacy.status());
    *result.add_artifacts() = *legacy;
  }
  if (!sbom.empty()) {
    std::string path =
        absl::StrCat(context.scratch_dir(), "/", ScanReportName("cyclonedx"));
    absl::Status w = WriteFileAtomically(path, sbom);
    if (!w.ok()) return ErrorResult(w);
    auto a = context.PutArtifact(path, ScanReportName("cyclonedx"),
                                 "application/vnd.cyclonedx+json");
    if (!a.ok()) return ErrorResult(a.status());
    *result.add_artifacts() = *a;
  }
  for (const auto& [sev, n] : CountBySeverity(findings)) {
    (*result.mutable_counts())[sev] = n;
  }
  bool failed = false;
  if (p.fail_on() != dso::v1::SEVERITY_UNSPECIFIED) {
    for (const auto& f : findings) failed |= f.severity() >= p.fail_on();
  }
  std::string message = failed
                            ? absl::StrCat(summary, "; findings at or above ",
                                           SeverityName(p.fail_on()))
                            : summary;
  if (p.fail_on_unreadable() && unreadable > 0) {
    failed = true;
    absl::StrAppend(&message, "; ", unreadable,
                    " files or directories could not be read");
  }
  result.set_outcome(failed ? dso::v1::POLICY_FAILED : dso::v1::SUCCEEDED);
  if (!unread_lockfiles.empty()) {
    // Packages nobody saw cannot pass: not a size, not a syntax error. The
    // reports of what was read are kept.
    result.set_outcome(dso::v1::ERROR);
    result.set_error_code(static_cast<int>(absl::StatusCode::kInvalidArgument));
    absl::StrAppend(&message, "; ", unread_lockfiles.size(),
                    " lockfiles not read, so their packages are unknown: ",
                    absl::StrJoin(unread_lockfiles, "; "));
  }
  result.set_message(message);
  return result;
}

absl::Status RegisterScanSteps(StepRegistry& registry, const ScanDirs& dirs) {
  RETURN_IF_ERROR(registry.Register(std::make_unique<ScanStep>(dirs)));
  return registry.Register(std::make_unique<DbStep>(dirs.db_dir));
}

}  // namespace dso
