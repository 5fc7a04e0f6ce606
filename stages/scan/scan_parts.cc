#include "stages/scan/scan_parts.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
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

namespace dso {
namespace {

absl::StatusOr<SecretRuleSet> LoadRules(const dso::v1::SecretsParams& p,
                                        const std::string& base_dir) {
  if (p.config_toml().empty() && p.config_name().empty()) {
    return DefaultSecretRules();
  }
  return ParseGitleaksConfig(
      p.config_toml(), p.config_name().empty() ? "config" : p.config_name(),
      base_dir, ExtendPaths::kBeneathBaseDir);
}

}  // namespace

absl::StatusOr<SecretSetup> PrepareSecrets(const dso::v1::ScanParams& p,
                                           const std::string& root,
                                           StepContext& context,
                                           const ScanDirs& dirs) {
  auto rules = LoadRules(p.secrets(), root);
  if (!rules.ok()) return rules.status();
  std::vector<std::string> notes;
  size_t rule_count = rules->rules.size();
  auto matcher =
      SecretMatcher::Compile(*std::move(rules), &notes, dirs.cache_dir);
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
  if (!root.empty()) {
    auto own = ReadFile(root + "/.gitleaksignore", FileKind::kConfig);
    for (auto& f : ParseIgnoreList(own.ok() ? *own : "")) {
      options.ignored_fingerprints.insert(std::move(f));
    }
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
  return SecretSetup{*std::move(matcher), std::move(options)};
}

ScannerOutput SecretOutput(const dso::v1::ScanParams& p,
                           const SecretMatcher& matcher,
                           const SecretScanResult& scan,
                           const std::string& layer) {
  ScannerOutput out;
  const auto& set = matcher.rules();
  for (const auto& f : scan.findings) {
    out.findings.push_back(ToFinding(f, set.rules[f.rule]));
    if (!layer.empty()) {
      out.findings.back().mutable_location()->set_layer(layer);
    }
  }
  const SecretScanStats& st = scan.stats;
  out.unreadable = st.unreadable;
  out.summary = absl::StrCat(
      "secrets: ",
      p.git() ? absl::StrCat(st.commits, " commits, ")
              : absl::StrCat(st.files, " files, "),
      st.bytes, " bytes scanned; ", out.findings.size(), " findings; skipped ",
      st.binary_skipped, " binary, ", st.allowlisted_files, " allowlisted, ",
      st.ignored, " gitignored, ", st.symlinks_skipped, " symlinks, ",
      st.special_skipped, " special files; ", st.unreadable, " unreadable; ",
      st.suppressed, " suppressed, ", st.placeholders, " placeholders");
  if (std::find(p.reports().begin(), p.reports().end(), "gitleaks") !=
      p.reports().end()) {
    out.gitleaks = GitleaksJsonReport(scan.findings, set);
  }
  return out;
}

absl::StatusOr<ScannerOutput> ScanSecrets(const dso::v1::ScanParams& p,
                                          const std::string& root,
                                          StepContext& context,
                                          const ScanDirs& dirs) {
  ASSIGN_OR_RETURN(SecretSetup setup, PrepareSecrets(p, root, context, dirs));
  SecretScanner scanner(*setup.matcher, std::move(setup.options));
  auto scan = p.git() ? scanner.ScanGitHistory(root, p.since())
                      : scanner.ScanDirectory(root);
  if (!scan.ok()) return scan.status();
  if (context.cancellation().cancelled()) return ScannerOutput();
  for (const auto& w : scan->warnings) {
    context.Log(dso::v1::LogLine::AGENT, absl::StrCat("warning: ", w, "\n"));
  }
  // Rules are compiled when first needed (rule_regex.h): one RE2 parsed
  // but would not compile has matched nothing, and is said so.
  for (const SecretRule& rule : setup.matcher->rules().rules) {
    if (rule.regex && rule.regex->Refused()) {
      context.Log(dso::v1::LogLine::AGENT,
                  absl::StrCat("warning: rule '", rule.id,
                               "': RE2 would not compile its regex (",
                               rule.regex->Compiled().error(),
                               "); it matched nothing\n"));
    }
  }
  return SecretOutput(p, *setup.matcher, *scan);
}

absl::StatusOr<ScannerOutput> ScanDeps(
    const dso::v1::ScanParams& p, const std::string& root, StepContext& context,
    const ScanDirs& dirs, bool asked, bool installed,
    const std::string& sbom_name, const Inventory* extra,
    const std::vector<std::string>* extra_unread) {
  ScannerOutput out;
  auto inv = CollectInventory(root, installed);
  if (!inv.ok()) return inv.status();
  if (extra_unread) {
    inv->unread.insert(inv->unread.end(), extra_unread->begin(),
                       extra_unread->end());
  }
  auto log = [&](const std::string& line) {
    context.Log(dso::v1::LogLine::AGENT, line + "\n");
  };
  for (const auto& w : inv->warnings) log("warning: " + w);
  for (const auto& u : inv->unread) log("error: not read: " + u);
  out.unread_lockfiles = inv->unread;
  if (extra) {
    for (const Package& pkg : extra->packages) {
      if (inv->files.empty() || inv->files.back() != pkg.file) {
        inv->files.push_back(pkg.file);
      }
      inv->inventory.packages.push_back(pkg);
    }
  }
  if (p.sbom()) {
    std::string name = sbom_name.empty()
                           ? std::filesystem::path(root).filename().string()
                           : sbom_name;
    out.sbom = CycloneDxJson(inv->inventory, name.empty() ? "project" : name,
                             NewUuid(), absl::Now());
  }
  ASSIGN_OR_RETURN(const std::string dir,
                   DatabaseDir(context, p.db(), dirs.db_dir));
  auto db = OsvDatabase::Open(dir);
  if (!db.ok()) return db.status();
  if (db->data().advisories_size() == 0) {
    std::string why =
        absl::StrCat("the vulnerability database in ", dir,
                     " is empty; import OSV records with `dsoctl db import`");
    if (asked && !p.sbom()) return absl::FailedPreconditionError(why);
    // Nothing matched: what was not read hides nothing but from an SBOM.
    if (!p.sbom()) out.unread_lockfiles.clear();
    out.summary = absl::StrCat("deps: ", inv->inventory.packages.size(),
                               " packages; not matched (", why, ")");
    return out;
  }
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

}  // namespace dso
