#include "stages/scan/scan_step.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/atomic_file.h"
#include "stages/core/finding.h"
#include "stages/core/report.h"
#include "stages/core/status_macros.h"
#include "stages/scan/deps/db_step.h"
#include "stages/scan/deps/inventory.h"
#include "stages/scan/deps/osv_db.h"
#include "stages/scan/deps/sbom.h"
#include "stages/scan/deps/vuln_match.h"
#include "stages/scan/secrets/gitleaks_config.h"
#include "stages/scan/secrets/hyperscan_cache.h"
#include "stages/scan/secrets/secret_filter.h"
#include "stages/scan/secrets/secret_report.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {
namespace {

const ToolInfo kTool{"dso", "0.1.0", "https://github.com/dso-project/dso"};
const std::set<std::string> kScanners = {"secrets", "deps", "all"};
const std::set<std::string> kFormats = {"json", "sarif", "gitleaks"};
// Each worker holds a 4 MiB read buffer; more threads than this buy nothing.
constexpr uint32_t kMaxThreads = 64;
// Deeper nesting of encodings than this is not worth a rescan.
constexpr uint32_t kMaxDecodeDepth = 16;

absl::StatusOr<SecretRuleSet> LoadRules(const dso::v1::SecretsParams& p,
                                        const std::string& base_dir) {
  if (p.config_toml().empty() && p.config_name().empty()) {
    return DefaultSecretRules();
  }
  return ParseGitleaksConfig(
      p.config_toml(), p.config_name().empty() ? "config" : p.config_name(),
      base_dir);
}

}  // namespace

std::string ScanReportName(absl::string_view format) {
  if (format == "sarif") return "secrets.sarif";
  if (format == "gitleaks") return "secrets-gitleaks.json";
  if (format == "cyclonedx") return "sbom.cdx.json";
  return "secrets.json";
}

absl::Status ScanStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.scan();
  if (p.target().source_case() == dso::v1::Input::SOURCE_NOT_SET) {
    return absl::InvalidArgumentError("scan.target is required");
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
    if (!kScanners.count(s)) {
      return absl::InvalidArgumentError(
          absl::StrCat("scanner '", s, "' is not available (available: ",
                       absl::StrJoin(kScanners, ", "), ")"));
    }
  }
  for (const auto& f : p.reports()) {
    if (!kFormats.count(f)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "report format '", f,
          "' is unknown (known: ", absl::StrJoin(kFormats, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

namespace {

// What one scanner found: findings in the common model, a summary line,
// and (secrets) the gitleaks-format report.
struct ScannerOutput {
  std::vector<dso::v1::Finding> findings;
  std::string summary;
  std::string gitleaks;
  std::string sbom;  // CycloneDX JSON, when asked for
};

absl::StatusOr<ScannerOutput> ScanSecrets(const dso::v1::ScanParams& p,
                                          const std::string& root,
                                          StepContext& context) {
  auto rules = LoadRules(p.secrets(), root);
  if (!rules.ok()) return rules.status();
  std::vector<std::string> notes;
  size_t rule_count = rules->rules.size();
  auto matcher =
      SecretMatcher::Compile(*std::move(rules), &notes, DefaultCacheDir());
  if (!matcher.ok()) return matcher.status();
  for (const auto& n : notes) {
    context.Log(dso::v1::LogLine::AGENT, absl::StrCat("secrets: ", n, "\n"));
  }
  context.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("secrets: ", rule_count, " rules from ",
                           p.secrets().config_toml().empty()
                               ? std::string("dso's defaults")
                               : p.secrets().config_name(),
                           "\n"));

  SecretScanOptions options;
  options.threads = static_cast<int>(p.threads());
  if (p.secrets().has_max_decode_depth()) {
    options.max_decode_depth = static_cast<int>(p.secrets().max_decode_depth());
  }
  // The target's own .gitleaksignore (if any), then the client's lists.
  auto own = ReadFile(root + "/.gitleaksignore");
  for (auto& f : ParseIgnoreList(own.ok() ? *own : "")) {
    options.ignored_fingerprints.insert(std::move(f));
  }
  for (const auto& f : p.secrets().ignored_fingerprints()) {
    options.ignored_fingerprints.insert(f);
  }
  if (p.gitignore() && !p.git()) {
    auto filter = GitIgnoreFilter(root);
    if (!filter.ok()) return filter.status();
    options.skip_path = *std::move(filter);
  }
  options.cancelled = [&context] { return context.cancellation().cancelled(); };
  options.progress = [&context, git = p.git()](const SecretScanStats& s) {
    dso::v1::Event e;
    auto* pr = e.mutable_progress();
    pr->set_phase("secrets");
    pr->set_done(git ? s.commits : s.files);
    pr->set_bytes(s.bytes);
    pr->set_findings(s.findings);
    context.Emit(std::move(e));
  };
  SecretScanner scanner(**matcher, std::move(options));
  auto scan = p.git() ? scanner.ScanGitHistory(root, p.since())
                      : scanner.ScanDirectory(root);
  if (!scan.ok()) return scan.status();
  ScannerOutput out;
  if (context.cancellation().cancelled()) return out;

  const auto& set = (*matcher)->rules();
  for (const auto& f : scan->findings) {
    out.findings.push_back(ToFinding(f, set.rules[f.rule]));
  }
  const SecretScanStats& st = scan->stats;
  for (const auto& w : scan->warnings) {
    context.Log(dso::v1::LogLine::AGENT, absl::StrCat("warning: ", w, "\n"));
  }
  out.summary = absl::StrCat(
      "secrets: ",
      p.git() ? absl::StrCat(st.commits, " commits, ")
              : absl::StrCat(st.files, " files, "),
      st.bytes, " bytes scanned; ", out.findings.size(), " findings; skipped ",
      st.binary_skipped, " binary, ", st.allowlisted_files, " allowlisted, ",
      st.ignored, " gitignored, ", st.symlinks_skipped, " symlinks; ",
      st.unreadable, " unreadable; ", st.suppressed, " suppressed, ",
      st.placeholders, " placeholders");
  if (std::find(p.reports().begin(), p.reports().end(), "gitleaks") !=
      p.reports().end()) {
    out.gitleaks = GitleaksJsonReport(scan->findings, set);
  }
  return out;
}

// Dependencies: lockfiles under the root matched against the vulnerability
// database. Without advisories there is nothing to match: an error when the
// scanner was asked for by name, a note when it runs by default.
absl::StatusOr<ScannerOutput> ScanDeps(const dso::v1::ScanParams& p,
                                       const std::string& root,
                                       StepContext& context, bool asked) {
  ScannerOutput out;
  auto inv = CollectInventory(root);
  if (!inv.ok()) return inv.status();
  if (p.sbom()) {
    std::string name = std::filesystem::path(root).filename().string();
    out.sbom = CycloneDxJson(inv->inventory, name.empty() ? "project" : name,
                             NewUuid(), absl::Now());
  }
  const std::string dir = DatabaseDir(p.db());
  auto db = OsvDatabase::Open(dir);
  if (!db.ok()) return db.status();
  if (db->data().advisories_size() == 0) {
    std::string why =
        absl::StrCat("the vulnerability database in ", dir,
                     " is empty; import OSV records with `dsoctl db import`");
    if (asked && !p.sbom()) return absl::FailedPreconditionError(why);
    out.summary = absl::StrCat("deps: ", inv->inventory.packages.size(),
                               " packages; not matched (", why, ")");
    return out;
  }
  auto log = [&](const std::string& line) {
    context.Log(dso::v1::LogLine::AGENT, line + "\n");
  };
  for (const auto& w : inv->warnings) log("warning: " + w);
  for (const auto& n : inv->inventory.notes) log("deps: " + n);
  VulnMatchResult match = MatchVulnerabilities(*db, inv->inventory);
  for (const auto& n : match.notes) log("deps: " + n);
  {
    dso::v1::Event e;
    auto* pr = e.mutable_progress();
    pr->set_phase("deps");
    pr->set_unit("packages");
    pr->set_done(inv->inventory.packages.size());
    pr->set_findings(match.findings.size());
    context.Emit(std::move(e));
  }
  out.summary = absl::StrCat("deps: ", inv->files.size(), " lockfiles, ",
                             inv->inventory.packages.size(), " packages, ",
                             match.findings.size(), " vulnerable (",
                             db->data().advisories_size(),
                             " advisories in the database)");
  out.findings = std::move(match.findings);
  return out;
}

}  // namespace

dso::v1::Result ScanStep::Run(const dso::v1::RunStepRequest& request,
                              StepContext& context) const {
  const auto& p = request.scan();
  auto root = context.ResolveInput(p.target());
  if (!root.ok()) return ErrorResult(root.status());
  std::set<std::string> wanted(p.scanners().begin(), p.scanners().end());
  const bool all = wanted.empty() || wanted.count("all");
  std::vector<dso::v1::Finding> findings;
  std::vector<std::string> summaries;
  std::string gitleaks, sbom;
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
    return absl::OkStatus();
  };
  if (all || wanted.count("secrets")) {
    if (auto s = take(ScanSecrets(p, *root, context)); !s.ok()) {
      return ErrorResult(s);
    }
  }
  if (context.cancellation().cancelled()) {
    dso::v1::Result r;
    r.set_outcome(dso::v1::CANCELLED);
    r.set_message(context.cancellation().message());
    return r;
  }
  if (all || wanted.count("deps") || p.sbom()) {
    if (auto s = take(ScanDeps(p, *root, context, wanted.count("deps") > 0));
        !s.ok()) {
      return ErrorResult(s);
    }
  }
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
  result.set_outcome(failed ? dso::v1::POLICY_FAILED : dso::v1::SUCCEEDED);
  result.set_message(failed ? absl::StrCat(summary, "; findings at or above ",
                                           SeverityName(p.fail_on()))
                            : summary);
  return result;
}

absl::Status RegisterScanSteps(StepRegistry& registry) {
  RETURN_IF_ERROR(registry.Register(std::make_unique<ScanStep>()));
  return registry.Register(std::make_unique<DbStep>());
}

}  // namespace dso
