// dsoctl scan: builds ScanParams from the command line, runs the scan step
// (through the agent or embedded) and saves the reports it produced.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/image_args.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/finding.h"
#include "stages/core/status_macros.h"
#include "stages/scan/scan_step.h"
#include "stages/scan/secrets/gitleaks_config.h"
#include "stages/scan/secrets/secret_filter.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {

namespace fs = std::filesystem;

namespace {

absl::Status BuildParams(const ScanOptions& o, dso::v1::ScanParams* p) {
  if (!o.image.empty() && !o.path.empty()) {
    return absl::InvalidArgumentError("give --path or --image, not both");
  }
  if (!o.image.empty() && (o.git || o.gitignore)) {
    return absl::InvalidArgumentError(
        "--git and --gitignore apply to --path, not --image");
  }
  if (o.git && o.path == "-") {
    return absl::InvalidArgumentError("--git needs a repository, not stdin");
  }
  if (!o.since.empty() && !o.git) {
    return absl::InvalidArgumentError("--since needs --git");
  }
  p->set_git(o.git);
  p->set_gitignore(o.gitignore);
  p->set_since(o.since);
  if (!o.db.empty()) {
    std::error_code ec;
    p->set_db(std::filesystem::absolute(o.db, ec).lexically_normal().string());
  }
  if (o.path.empty() && o.image.empty()) {
    return absl::InvalidArgumentError(
        "give --path DIR or --image OCI_DIR|ARCHIVE.tar to scan");
  }
  for (const auto& list : o.scanners) {
    for (absl::string_view s : absl::StrSplit(list, ',', absl::SkipEmpty())) {
      s = absl::StripAsciiWhitespace(s);
      if (s != "all") p->add_scanners(std::string(s));
    }
  }
  if (!o.fail_on.empty()) {
    auto sev = ParseSeverity(o.fail_on);
    if (!sev.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--fail-on: ", sev.status().message()));
    }
    p->set_fail_on(*sev);
  }
  p->set_fail_on_unreadable(o.fail_on_unreadable);
  if (o.format != "json" && o.format != "gitleaks") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format '", o.format, "' is unknown (json or gitleaks)"));
  }
  p->set_threads(o.threads);
  auto* secrets = p->mutable_secrets();
  if (o.max_decode_depth) secrets->set_max_decode_depth(*o.max_decode_depth);
  if (!o.config.empty()) {
    auto text = ReadOptionFile("--config", o.config);
    if (!text.ok()) return text.status();
    // Checked here so a broken config fails before anything runs; the
    // agent resolves an [extend] path against the scanned directory, and
    // so does this check.
    auto rules =
        CheckGitleaksConfig(*text, o.config, o.path.empty() ? "." : o.path);
    if (!rules.ok()) return rules.status();
    secrets->set_config_toml(*text);
    secrets->set_config_name(o.config);
  }
  for (const auto& file : o.ignore_files) {
    auto text = ReadFile(file, FileKind::kConfig);
    if (!text.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--ignore-file '", file,
                       "' cannot be read: ", text.status().message()));
    }
    for (auto& f : ParseIgnoreList(*text)) {
      secrets->add_ignored_fingerprints(std::move(f));
    }
  }
  return absl::OkStatus();
}

absl::Status SetImage(AgentConnection& conn, const std::string& arg,
                      dso::v1::RunStepRequest* req) {
  dso::v1::ScanParams* p = req->mutable_scan();
  ASSIGN_OR_RETURN(ImageArg image, PrepareImageArg(conn, "--image", arg));
  if (!image.registry_ref.empty()) {
    p->set_registry_ref(image.registry_ref);
    AddRegistrySecrets(req);
  } else {
    *p->mutable_image() = std::move(image.local);
    p->set_image_ref(image.local_ref);
  }
  return absl::OkStatus();
}

// Copies stdin into a fresh directory as the file "stdin".
absl::StatusOr<std::string> SaveStdin() {
  char tmpl[] = "/tmp/dsoctl-stdin-XXXXXX";
  if (!mkdtemp(tmpl)) {
    return absl::InternalError("cannot create a directory for stdin");
  }
  std::string file = absl::StrCat(tmpl, "/stdin");
  std::ofstream out(file, std::ios::binary);
  if (std::cin.peek() != std::char_traits<char>::eof()) out << std::cin.rdbuf();
  out.close();
  if (!out) {
    return absl::InternalError(absl::StrCat("cannot save stdin to ", file));
  }
  return std::string(tmpl);
}

// Runs the scan and saves the reports `wanted` (format -> local path).
int FollowAndSave(const GlobalOptions& g, AgentConnection& conn,
                  const dso::v1::RunStepRequest& req, absl::Time start,
                  const std::map<std::string, std::string>& wanted) {
  // Each report by its name and (an agent of before the rename) its old
  // name, which the same report also has until the next release.
  OutputPlan plan;
  for (const auto& [format, path] : wanted) {
    plan[ScanReportName(format)] = {path};
    std::string legacy = LegacyScanReportName(format);
    if (!legacy.empty()) plan[legacy] = {path};
  }
  auto run = RunAndFollow(conn, req);
  std::map<std::string, std::string> local;
  if (run.ok()) {
    auto got = DownloadOutputs(conn, *run, plan);
    if (!got.ok()) return Fail(g, "scan", got.status());
    local = *std::move(got);
  }
  // Beside a report saved under its name, its old name as a link to it.
  for (const auto& [format, path] : wanted) {
    std::string name = ScanReportName(format);
    std::string legacy = LegacyScanReportName(format);
    if (legacy.empty() || !local.count(name) ||
        fs::path(path).filename() != name) {
      continue;
    }
    std::error_code ec;
    fs::path link = fs::path(path).parent_path() / legacy;
    fs::remove(link, ec);
    fs::create_symlink(name, link, ec);
  }
  return FinishRun(g, conn, "scan", start, std::move(run), std::move(local));
}

int CmdScan(const GlobalOptions& g, const ScanOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("scan", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_scan();
  absl::Status built = BuildParams(o, p);
  if (!built.ok()) return Fail(g, "scan", built);

  // Where each report goes: as asked, else next to the --json summary.
  std::map<std::string, std::string> wanted;  // format -> local path
  if (!g.json_path.empty()) {
    fs::path beside = fs::path(g.json_path).parent_path();
    for (const std::string& format : {std::string("sarif"), o.format}) {
      wanted[format] = (beside / ScanReportName(format)).string();
    }
  }
  if (!o.sarif.empty()) wanted["sarif"] = o.sarif;
  if (!o.report.empty()) wanted[o.format] = o.report;
  for (const auto& [format, path] : wanted) p->add_reports(format);
  if (!o.sbom.empty()) {
    p->set_sbom(true);
    wanted["cyclonedx"] = o.sbom;  // downloaded like the reports
  }

  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "scan", conn.status());
  std::error_code ec;
  // "--path -": what arrives on stdin (a pre-commit hook's diff, a file),
  // scanned as one file named "stdin".
  std::unique_ptr<fs::path, void (*)(fs::path*)> stdin_dir(
      nullptr, [](fs::path* p) {
        std::error_code e;
        fs::remove_all(*p, e);
        delete p;
      });
  if (!o.image.empty()) {
    if (absl::Status s = SetImage(**conn, o.image, &req); !s.ok()) {
      return Fail(g, "scan", s);
    }
    return FollowAndSave(g, **conn, req, start, wanted);
  }
  std::string path = o.path;
  if (path == "-") {
    auto dir = SaveStdin();
    if (!dir.ok()) return Fail(g, "scan", dir.status());
    stdin_dir.reset(new fs::path(*dir));
    path = *dir;
  }
  std::string target = fs::absolute(path, ec).lexically_normal().string();
  // A directory, or one file.
  fs::file_status st = fs::status(target, ec);
  if (!fs::is_directory(st) && !fs::is_regular_file(st)) {
    return Fail(g, "scan",
                absl::InvalidArgumentError(absl::StrCat(
                    "--path '", o.path, "' ",
                    fs::exists(st) ? "is neither a directory nor a regular file"
                                   : "does not exist")));
  }
  // A tar (a remote agent) leaves out what the scan would not read: .git
  // (unless the history or ignore rules are wanted) and, for a secrets-only
  // scan, binary files (a NUL in their first 8000 bytes, as the scanner
  // judges them).
  bool secrets_only =
      p->scanners_size() == 1 && p->scanners(0) == "secrets" && !p->sbom();
  uint64_t left_out = 0;
  PackSkip skip = [&](const std::string& path, bool is_dir) {
    bool out = false;
    if (is_dir) {
      out = !o.git && !o.gitignore && fs::path(path).filename() == ".git";
    } else if (secrets_only) {
      char head[kBinaryProbeBytes];
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd >= 0) {
        ssize_t n = read(fd, head, sizeof(head));
        close(fd);
        out = n > 0 &&
              IsBinaryHead(absl::string_view(head, static_cast<size_t>(n)));
      }
    }
    left_out += out;
    return out;
  };
  auto input = PrepareInput(**conn, target, skip);
  if (!input.ok()) return Fail(g, "scan", input.status());
  if (left_out > 0) {
    std::cerr << "[dso] left out of the upload: " << left_out
              << " binary files or .git directories the scan would skip\n";
  }
  *p->mutable_target() = *input;
  return FollowAndSave(g, **conn, req, start, wanted);
}

}  // namespace

std::unique_ptr<Command> NewScanCommand() {
  auto o = std::make_shared<ScanOptions>();
  return SimpleCommand(
      [o](CLI::App& app) {
        auto* scan = app.add_subcommand(
            "scan", "scan a directory: scan --path DIR [--scanners secrets]");
        scan->add_option("--path", o->path, "directory to scan; - reads stdin");
        scan->add_option("--image", o->image,
                         "image to scan: OCI layout dir (DIR:TAG for one of "
                         "several) or docker archive .tar");
        // The names of ScannerNames() (stages/scan/scan_names.h), written
        // out: deriving them builds steps.proto's descriptors, 0.2 ms of
        // every start. scan_command_test.cc checks the two agree.
        scan->add_option("--scanners", o->scanners,
                         "secrets, deps, image, all, iac (default: all "
                         "available; iac, Dockerfiles so far, only when "
                         "named); comma-separated");
        scan->add_option("--config", o->config,
                         "secret rules: a gitleaks TOML config (default: "
                         "dso's)");
        scan->add_flag("--git", o->git,
                       "scan the git history of --path (every commit's added "
                       "lines)");
        scan->add_flag("--gitignore", o->gitignore,
                       "leave out what the repository's .gitignore files "
                       "ignore");
        scan->add_option("--since", o->since,
                         "with --git: only commits not reachable from this "
                         "revision");
        scan->add_option("--sarif", o->sarif, "write a SARIF 2.1.0 report");
        scan->add_option("--report", o->report, "write a report in --format");
        scan->add_option("--format", o->format, "json (dso) or gitleaks")
            ->check(CLI::IsMember({"json", "gitleaks"}));
        scan->add_option("--fail-on", o->fail_on,
                         "exit 1 when a finding is at or above this severity");
        scan->add_flag("--fail-on-unreadable", o->fail_on_unreadable,
                       "exit 1 when a file or directory could not be read");
        scan->add_option("--ignore-file", o->ignore_files,
                         "fingerprints not to report (.gitleaksignore format)");
        scan->add_option("--threads", o->threads,
                         "worker threads (default: cores)");
        scan->add_option("--sbom", o->sbom,
                         "write a CycloneDX 1.5 JSON SBOM of the packages "
                         "found");
        scan->add_option("--db", o->db,
                         "deps: vulnerability database directory (default: "
                         "the agent's)");
        scan->add_option("--max-decode-depth", o->max_decode_depth,
                         "passes of decoding base64/hex/percent text and "
                         "scanning it again (default 5, 0: off)");
        AddRunFlags(scan, &o->deadline_seconds, &o->idempotency_key);
        return scan;
      },
      [o](const GlobalOptions& g) { return CmdScan(g, *o); });
}

void AddScanCommands(Commands& all) { all.push_back(NewScanCommand()); }

}  // namespace dso
