// ScanIac: the IaC scanner's findings in the common model.
#include "absl/strings/str_cat.h"
#include "stages/core/finding.h"
#include "stages/core/step_context.h"
#include "stages/scan/iac/iac_scanner.h"
#include "stages/scan/scan_parts.h"

namespace dso {

absl::StatusOr<ScannerOutput> ScanIac(const std::string& root,
                                      StepContext& context) {
  IacScanResult scan = ScanIacTree(root);
  ScannerOutput out;
  for (const std::string& w : scan.warnings) {
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("warning: iac: ", w, "\n"));
  }
  for (const IacFileFinding& ff : scan.findings) {
    const IacFinding& f = ff.finding;
    dso::v1::Finding finding;
    finding.set_rule_id(f.check->id);
    finding.set_title(f.check->title);
    finding.set_severity(f.check->severity);
    finding.set_description(
        absl::StrCat(f.check->title, ". ", f.check->remediation));
    auto* l = finding.mutable_location();
    // Proto strings are UTF-8; a file's name or text may not be.
    l->set_file(SanitizeUtf8(ff.file));
    l->set_line(f.line);
    l->set_end_line(f.end_line);
    finding.set_evidence(SanitizeUtf8(f.evidence));
    finding.set_resource(SanitizeUtf8(f.resource));
    if (*f.check->checkov) {
      (*finding.mutable_equivalents())["checkov"] = f.check->checkov;
    }
    // Not the line: a finding keeps its fingerprint when lines move.
    finding.set_fingerprint(
        Fingerprint({"iac", f.check->id, ff.file, f.resource, f.instruction}));
    finding.set_scanner("iac");
    out.findings.push_back(std::move(finding));
  }
  out.unreadable = scan.unreadable;
  out.summary = absl::StrCat("iac: ", scan.files, " files checked; ",
                             scan.findings.size(), " findings; ",
                             scan.unreadable, " unreadable");
  return out;
}

}  // namespace dso
