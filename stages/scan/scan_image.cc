#include "stages/scan/scan_image.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"
#include "stages/oci/oci_layout.h"
#include "stages/scan/image/image_checks.h"
#include "stages/scan/image/image_scanner.h"
#include "stages/scan/secrets/secret_report.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// All layers' secrets as one scanner's output.
ScannerOutput LayerSecrets(const dso::v1::ScanParams& p,
                           const SecretMatcher& matcher,
                           const ImageScanResult& scan, StepContext& context) {
  ScannerOutput out;
  std::vector<SecretFinding> all;
  SecretScanStats st;
  auto add = [&](const SecretScanResult& r, const std::string& layer) {
    ScannerOutput one = SecretOutput(p, matcher, r, layer);
    for (auto& f : one.findings) out.findings.push_back(std::move(f));
    all.insert(all.end(), r.findings.begin(), r.findings.end());
    st.binary_skipped += r.stats.binary_skipped;
    st.allowlisted_files += r.stats.allowlisted_files;
    st.suppressed += r.stats.suppressed;
    st.placeholders += r.stats.placeholders;
    for (const auto& w : r.warnings) {
      context.Log(dso::v1::LogLine::AGENT,
                  absl::StrCat("warning: ", layer, ": ", w, "\n"));
    }
  };
  for (size_t i = 0; i < scan.secrets.size(); ++i) {
    add(scan.secrets[i], scan.layer_digests[i]);
  }
  add(scan.config_secrets, "");
  out.summary = absl::StrCat(
      "secrets: ", scan.files, " files in ", scan.layer_digests.size(),
      " layers, ", scan.bytes, " bytes scanned; ", out.findings.size(),
      " findings; skipped ", st.binary_skipped, " binary, ",
      st.allowlisted_files, " allowlisted; ", st.suppressed, " suppressed, ",
      st.placeholders, " placeholders");
  if (std::find(p.reports().begin(), p.reports().end(), "gitleaks") !=
      p.reports().end()) {
    out.gitleaks = GitleaksJsonReport(all, matcher.rules());
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<ScannerOutput>> ScanImage(
    const dso::v1::ScanParams& p, const std::string& image_path,
    const ImageScanners& which, StepContext& context, const ScanDirs& dirs) {
  const std::string scratch = context.scratch_dir() + "/image";
  std::error_code ec;
  fs::create_directories(scratch + "/scan", ec);
  ASSIGN_OR_RETURN(BaseImage image,
                   ReadBaseImage(image_path, scratch, p.image_ref()));
  std::string name = image.ref_name.empty()
                         ? fs::path(image_path).filename().string()
                         : image.ref_name;
  context.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("image: ", name, " ",
                           image.manifest_digest.empty()
                               ? std::string("(docker archive)")
                               : image.manifest_digest,
                           ", ", image.layers.size(), " layers\n"));

  std::optional<SecretSetup> secrets;
  std::optional<SecretScanner> scanner;
  if (which.secrets) {
    ASSIGN_OR_RETURN(secrets, PrepareSecrets(p, "", context, dirs));
    scanner.emplace(*secrets->matcher, secrets->options);
  }
  ImageScanOptions options;
  options.secrets = scanner ? &*scanner : nullptr;
  options.threads = static_cast<int>(p.threads());
  options.scratch = scratch + "/scan";
  options.cancelled = [&context] { return context.cancellation().cancelled(); };
  options.progress = [&context](const ImageScanProgress& pr) {
    dso::v1::Event e;
    auto* out = e.mutable_progress();
    out->set_phase("image");
    out->set_unit("layers");
    out->set_done(pr.layers_done);
    out->set_total(pr.layers);
    out->set_bytes(pr.bytes);
    context.Emit(std::move(e));
  };
  ASSIGN_OR_RETURN(ImageScanResult scan, ScanImageLayers(image, options));
  for (const auto& w : scan.warnings) {
    context.Log(dso::v1::LogLine::AGENT, absl::StrCat("warning: ", w, "\n"));
  }

  std::vector<ScannerOutput> outputs;
  if (secrets) {
    outputs.push_back(LayerSecrets(p, *secrets->matcher, scan, context));
  }
  if (which.deps) {
    ASSIGN_OR_RETURN(ScannerOutput deps,
                     ScanDeps(p, scan.rootfs, context, dirs, which.deps_asked,
                              /*installed=*/true, name, &scan.go_programs,
                              &scan.unread_inventory));
    for (auto& f : deps.findings) {
      const ImageFileView::Node* node = scan.view.Find(f.location().file());
      if (node) {
        f.mutable_location()->set_layer(scan.layer_digests[node->layer]);
      }
    }
    outputs.push_back(std::move(deps));
  }
  if (which.checks) {
    ScannerOutput checks;
    checks.findings = CheckImage(scan, image.config_json, image.base_name);
    size_t problems = 0;
    for (const auto& p : scan.problems) problems += p.size();
    checks.summary = absl::StrCat(
        "image: ", scan.layer_digests.size(), " layers, ",
        scan.view.nodes().size(), " paths in the final view, ",
        scan.view.whited_out(), " deleted or hidden by later layers, ",
        problems, " hostile entries; ", checks.findings.size(), " findings");
    outputs.push_back(std::move(checks));
  }
  return outputs;
}

}  // namespace dso
