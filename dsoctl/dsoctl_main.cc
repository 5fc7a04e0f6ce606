// dsoctl: the command-line client of dso-agent (or, without --agent, an
// embedded agent). Its contract: the README (usage, exit codes) and
// `dsoctl --help`; where it sits: docs/architecture.md.
#include <signal.h>

#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/base/internal/cycleclock.h"
#include "absl/synchronization/mutex.h"
#include "dsoctl/commands.h"
#include "dsoctl/exit_codes.h"
#include "dsoctl/follow.h"
#include "runtime/ecs_log.h"
#include "runtime/version.h"

int main(int argc, char** argv) {
  // Debian's Abseil checks every lock order at run time; it costs more
  // than the agent's own work on short runs.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // The first thread to wait on a contended absl::Mutex measures the CPU
  // clock (no tsc_freq_khz in most VMs: 3-7 ms asleep, the mutex's spin bit
  // held). Measured in the background from the start, it is ready before
  // a command's threads first contend.
  std::thread([] { absl::base_internal::CycleClock::Frequency(); }).detach();
  dso::InstallInterruptHandler();
  signal(SIGPIPE, SIG_IGN);
  dso::InitLogging(/*json=*/false, /*quiet=*/true);

  CLI::App app{"dsoctl: run DevSecOps pipeline steps on a dso agent"};
  app.require_subcommand(1);
  app.set_version_flag("--version", dso::kDsoVersion);
  dso::GlobalOptions g;
  auto& c = g.connection;
  app.add_option("--agent", c.agent,
                 "unix:///path or host:port; default: run embedded")
      ->envname("DSO_AGENT");
  app.add_option("--json", g.json_path, "write a JSON summary to FILE");
  app.add_option("--tls-cert", c.tls_cert, "client certificate (PEM)")
      ->envname("DSO_TLS_CERT");
  app.add_option("--tls-key", c.tls_key, "client key (PEM)")
      ->envname("DSO_TLS_KEY");
  app.add_option("--tls-ca", c.tls_ca, "CA of the agent's certificate")
      ->envname("DSO_TLS_CA");
  app.add_flag("--insecure-tcp", c.insecure_tcp,
               "plain TCP to a test agent on loopback");
  app.add_option("--data-dir", c.data_dir,
                 "embedded mode's data dir (default $XDG_DATA_HOME/dso)");

  dso::ExecOptions ex;
  auto* exec = app.add_subcommand(
      "exec", "run a command as a step: exec -- CMD ARGS...");
  exec->add_option("--env", ex.env, "NAME=VALUE for the command; repeatable")
      ->allow_extra_args(false);
  exec->add_option("--cwd", ex.cwd, "working directory (default: current)");
  exec->add_flag("--no-workdir", ex.no_workdir,
                 "run in the agent's scratch directory, send no files");
  exec->add_option("--collect", ex.collect,
                   "file (relative to the working directory) to bring back "
                   "as an artifact; repeatable")
      ->allow_extra_args(false);
  exec->add_option("--deadline", ex.deadline_seconds,
                   "seconds before the run is stopped (capped by the agent)");
  exec->add_option("--kill-grace", ex.kill_grace_seconds,
                   "seconds between SIGTERM and SIGKILL on cancellation");
  exec->add_option("--idempotency-key", ex.idempotency_key,
                   "a retry with the same key attaches to the same run");
  exec->add_option("command", ex.argv, "the command and its arguments")
      ->required();

  dso::ScanOptions sc;
  auto* scan = app.add_subcommand(
      "scan", "scan a directory: scan --path DIR [--scanners secrets]");
  scan->add_option("--path", sc.path, "directory to scan; - reads stdin");
  scan->add_option("--image", sc.image,
                   "image to scan: OCI layout dir (DIR:TAG for one of several) "
                   "or docker archive .tar");
  scan->add_option(
      "--scanners", sc.scanners,
      "secrets, deps, all (default: all available); comma-separated");
  scan->add_option("--config", sc.config,
                   "secret rules: a gitleaks TOML config (default: dso's)");
  scan->add_flag("--git", sc.git,
                 "scan the git history of --path (every commit's added lines)");
  scan->add_flag("--gitignore", sc.gitignore,
                 "leave out what the repository's .gitignore files ignore");
  scan->add_option("--since", sc.since,
                   "with --git: only commits not reachable from this revision");
  scan->add_option("--sarif", sc.sarif, "write a SARIF 2.1.0 report");
  scan->add_option("--report", sc.report, "write a report in --format");
  scan->add_option("--format", sc.format, "json (dso) or gitleaks")
      ->check(CLI::IsMember({"json", "gitleaks"}));
  scan->add_option("--fail-on", sc.fail_on,
                   "exit 1 when a finding is at or above this severity");
  scan->add_flag("--fail-on-unreadable", sc.fail_on_unreadable,
                 "exit 1 when a file or directory could not be read");
  scan->add_option("--ignore-file", sc.ignore_files,
                   "fingerprints not to report (.gitleaksignore format)");
  scan->add_option("--threads", sc.threads, "worker threads (default: cores)");
  scan->add_option("--sbom", sc.sbom,
                   "write a CycloneDX 1.5 JSON SBOM of the packages found");
  scan->add_option("--db", sc.db,
                   "deps: vulnerability database directory (default: the "
                   "agent's)");
  scan->add_option("--max-decode-depth", sc.max_decode_depth,
                   "passes of decoding base64/hex/percent text and scanning "
                   "it again (default 5, 0: off)");
  scan->add_option("--deadline", sc.deadline_seconds, "seconds; 0 = default");
  scan->add_option("--idempotency-key", sc.idempotency_key,
                   "retry-safe key (default: random)");

  dso::GateOptions go;
  auto* gate = app.add_subcommand(
      "gate", "judge reports against the policy for a system level");
  gate->add_option("--level", go.level, "system level, 1 to 4")
      ->required()
      ->check(CLI::Range(1, 4));
  gate->add_option("--report", go.reports,
                   "SARIF, dso JSON or CycloneDX files (repeat or list)")
      ->required();
  gate->add_option("--stage", go.stage, "source (default), container, final")
      ->check(CLI::IsMember({"source", "container", "final"}));
  gate->add_option("--policy", go.policy,
                   "policy YAML (default: the built-in matrix)");
  gate->add_option("--waivers", go.waivers, "waivers YAML");
  gate->add_option("--baseline", go.baseline,
                   "report of known findings: count only new ones");
  gate->add_option("--junit", go.junit, "write the decision as JUnit XML");
  gate->add_option("--decision", go.decision, "write the decision as JSON");
  gate->add_option("--statement", go.statement,
                   "write the decision as an in-toto statement");
  gate->add_option("--mode", go.mode, "enforce (default) or warn")
      ->check(CLI::IsMember({"enforce", "warn"}));
  gate->add_option("--date", go.date,
                   "judge waiver expiry as of this day, YYYY-MM-DD");
  gate->add_option("--evidence", go.evidence,
                   "final stage: what cosign verify / verify-attestation "
                   "printed (repeat)");
  gate->add_option("--subject", go.subject,
                   "final stage: the image digest (sha256:...) the evidence "
                   "must cover");
  gate->add_option("--deadline", go.deadline_seconds, "seconds; 0 = default");
  gate->add_option("--idempotency-key", go.idempotency_key,
                   "retry-safe key (default: random)");

  dso::BuildOptions bo;
  auto* build = app.add_subcommand(
      "build",
      "build an OCI image from a base and a context directory, "
      "reproducibly (honours SOURCE_DATE_EPOCH)");
  build->add_option("--context", bo.context, "the application directory")
      ->required();
  build->add_option("--out", bo.out, "OCI layout directory to write")
      ->required();
  build->add_option("--base", bo.base,
                    "OCI layout directory, docker archive .tar, or scratch "
                    "(default)");
  build->add_option("--base-ref", bo.base_ref,
                    "the tag to use in a base layout holding several images");
  build->add_option("--app-dir", bo.app_dir,
                    "where the context goes in the image (default /app)");
  build->add_option("--entrypoint", bo.entrypoint,
                    "\"CMD ARGS\" or a JSON array");
  build->add_option("--cmd", bo.cmd, "\"ARGS\" or a JSON array");
  build->add_option("--env", bo.env, "NAME=VALUE (repeat)");
  build->add_option("--user", bo.user, "UID[:GID] to run as, e.g. 65532");
  build->add_option("--workdir", bo.workdir, "default: the app dir");
  build->add_option("--expose", bo.expose, "PORT[/PROTO] (repeat)");
  build->add_option("--label", bo.labels, "KEY=VALUE (repeat)");
  build->add_option("--file", bo.files,
                    "SRC:/DEST[:MODE] a context file placed elsewhere "
                    "(repeat)");
  build->add_option("--tag", bo.tag, "the image's name in the layout");
  build->add_option("--docker-archive", bo.docker_archive,
                    "also write a tar that docker load reads");
  build->add_option("--deadline", bo.deadline_seconds, "seconds; 0 = default");
  build->add_option("--idempotency-key", bo.idempotency_key,
                    "retry-safe key (default: random)");

  std::string key_prefix;
  auto* keys = app.add_subcommand("keys", "signing keys");
  keys->require_subcommand(1);
  auto* keys_generate = keys->add_subcommand(
      "generate",
      "write PREFIX.key (cosign's encrypted format, password from "
      "DSO_KEY_PASSWORD) and PREFIX.pub");
  keys_generate->add_option("--out", key_prefix, "PREFIX of the two files")
      ->required();
  std::string public_keyref, public_out;
  auto* keys_public = keys->add_subcommand(
      "public-key", "print the public key of a KEYREF (PEM)");
  keys_public->add_option("--key", public_keyref, "KEYREF")
      ->envname("DSO_KEY")
      ->required();
  keys_public->add_option("--out", public_out, "write it to FILE");

  dso::SignCommandOptions so;
  auto* sign = app.add_subcommand(
      "sign", "sign an image and attest documents (cosign-compatible)");
  sign->add_option("--image", so.image,
                   "OCI layout dir (DIR:TAG for one of several) or "
                   "REGISTRY/REPO:TAG");
  sign->add_option("--blob", so.blob,
                   "a file to sign as cosign sign-blob does, instead of an "
                   "image");
  sign->add_option("--output-signature", so.signature_out,
                   "--blob: write the base64 signature here (default: "
                   "stdout)");
  sign->add_option("--key", so.key,
                   "file://PATH (or PATH), hashivault://NAME, "
                   "awskms://[ENDPOINT/]ID (default: $DSO_KEY)")
      ->envname("DSO_KEY")
      ->required();
  sign->add_option("--attest", so.attest,
                   "a predicate or in-toto statement JSON to attest "
                   "(repeat)");
  sign->add_option("--type", so.types,
                   "predicate type of --attest: a URI or gate, scan, sbom, "
                   "provenance, cyclonedx, spdxjson, vuln, custom");
  sign->add_option("--annotation", so.annotations,
                   "KEY=VALUE into the signature payload (repeat)");
  sign->add_flag("--provenance", so.provenance,
                 "also attest SLSA provenance v1 (builder, source revision, "
                 "base image digest) from this environment");
  sign->add_flag("--no-signature", so.no_signature,
                 "only attest, do not sign the image");
  sign->add_option("--deadline", so.deadline_seconds, "seconds; 0 = default");
  sign->add_option("--idempotency-key", so.idempotency_key,
                   "retry-safe key (default: random)");

  dso::VerifyCommandOptions vo;
  auto* verify = app.add_subcommand(
      "verify", "verify an image's signatures and attestations");
  verify->add_option("--image", vo.image,
                     "OCI layout dir (DIR:TAG) or REGISTRY/REPO:TAG|@DIGEST");
  verify->add_option("--blob", vo.blob,
                     "a file to verify as cosign verify-blob does");
  verify->add_option("--signature", vo.signature,
                     "--blob: its base64 signature, or a file holding it");
  verify
      ->add_option("--key", vo.key,
                   "public key file, or any KEYREF sign accepts")
      ->envname("DSO_KEY")
      ->required();
  verify->add_option("--require", vo.require,
                     "an attestation type that must be present and valid "
                     "(repeat)");
  verify->add_option("--require-gate", vo.require_gate,
                     "STAGE:LEVEL: a verified gate decision that passed at "
                     "that stage for that level or above (repeat)");
  verify->add_option("--digest", vo.digest,
                     "sha256:... the image must still be (a moved tag fails)");
  verify->add_option("--output-signatures", vo.signatures_out,
                     "write the verified payloads (as cosign verify prints)");
  verify->add_option("--output-attestations", vo.attestations_out,
                     "write the verified envelopes (as cosign "
                     "verify-attestation prints)");
  verify->add_option("--deadline", vo.deadline_seconds, "seconds; 0 = default");
  verify->add_option("--idempotency-key", vo.idempotency_key,
                     "retry-safe key (default: random)");

  dso::DeployCommandOptions dpo;
  auto* deploy = app.add_subcommand(
      "deploy",
      "deploy a verified image to a target, under runtime self-protection");
  deploy->add_option("--image", dpo.image,
                     "OCI layout dir (DIR:TAG) or REGISTRY/REPO:TAG|@DIGEST");
  deploy->add_option("--target", dpo.target,
                     "a target of the agent's config, or host://DIR");
  deploy
      ->add_option("--verify-key", dpo.verify_key,
                   "the key the image must be signed with (public key file "
                   "or KEYREF); default: the target's")
      ->envname("DSO_VERIFY_KEY");
  deploy->add_option("--require", dpo.require,
                     "attestation types that must be verified (repeat; "
                     "default: sbom, provenance)");
  deploy->add_option("--require-gate", dpo.require_gate,
                     "STAGE:LEVEL a verified gate decision must pass "
                     "(default: final:<the target's level>)");
  deploy->add_option("--digest", dpo.digest,
                     "sha256:... the image must be (a moved tag is refused)");
  deploy->add_option("--health", dpo.health,
                     "http(s)://URL that must answer 2xx/3xx ({port} "
                     "replaced), or a command that must exit 0");
  deploy->add_option("--health-timeout", dpo.health_timeout,
                     "seconds to become healthy (default 30)");
  deploy->add_option("--rasp", dpo.rasp,
                     "RASP policy (YAML) the application runs under "
                     "(default: the target's, else monitor only)");
  deploy->add_option("--strategy", dpo.strategy, "replace | blue-green");
  deploy->add_option("--port", dpo.port,
                     "PORT for the application (blue-green: port and port+1)");
  deploy->add_option("--keep", dpo.keep, "releases to keep (default 5)");
  deploy->add_option("--command", dpo.command,
                     "the command to run instead of the image's (repeat per "
                     "argument)");
  deploy->add_option("--env", dpo.env, "NAME=VALUE for the application");
  deploy->add_option("--include", dpo.include,
                     "image paths to unpack (repeat; default: all)");
  deploy->add_option("--manifests", dpo.manifests,
                     "Kubernetes targets: write the rendered manifests here");
  deploy->add_flag("--render-only", dpo.render_only,
                   "Kubernetes targets: render the manifests, do not apply "
                   "them with kubectl");
  deploy->add_option("--name", dpo.name,
                     "the deployment's name in events (host://DIR: default "
                     "the directory's name)");
  deploy->add_option("--deadline", dpo.deadline_seconds,
                     "seconds; 0 = default");
  deploy->add_option("--idempotency-key", dpo.idempotency_key,
                     "retry-safe key (default: random)");
  deploy->require_subcommand(0, 1);
  struct DeployAction {
    const char* name;
    const char* help;
  };
  std::vector<CLI::App*> deploy_actions;
  for (DeployAction a :
       {DeployAction{"stop", "stop the application of a target"},
        DeployAction{"events", "show a target's RASP events"},
        DeployAction{"status", "a target's releases and process"},
        DeployAction{"unit",
                     "print a systemd unit running the target's "
                     "current release"}}) {
    auto* sub = deploy->add_subcommand(a.name, a.help);
    sub->add_option("--target,target", dpo.target,
                    "a target of the agent's config, or host://DIR");
    if (std::string(a.name) == "events") {
      sub->add_option("--limit", dpo.limit, "the last N events (default 50)");
    }
    deploy_actions.push_back(sub);
  }

  dso::DbOptions dbo;
  auto* db = app.add_subcommand("db", "the local vulnerability database");
  db->require_subcommand(1);
  auto* db_import = db->add_subcommand(
      "import", "import OSV records: import [--db DIR] PATH...");
  db_import->add_option("--db", dbo.db,
                        "database directory (default: the agent's)");
  db_import
      ->add_option("paths", dbo.paths,
                   "directories of .json/.yaml records, record files, or "
                   ".zip archives of them")
      ->required();
  auto* db_info = db->add_subcommand("info", "sources, counts, last import");
  db_info->add_option("--db", dbo.db,
                      "database directory (default: the agent's)");

  auto* runs =
      app.add_subcommand("runs", "list, show, attach to or cancel runs");
  runs->require_subcommand(1);
  uint32_t limit = 0;
  auto* list =
      runs->add_subcommand("list", "runs kept by the agent, newest first");
  list->add_option("--limit", limit, "at most this many");
  std::string run_id, reason;
  uint64_t from = 1;
  auto* show = runs->add_subcommand("show", "one run's state and result");
  show->add_option("id", run_id)->required();
  auto* attach = runs->add_subcommand("attach", "follow a run's events");
  attach->add_option("id", run_id)->required();
  attach->add_option("--from", from, "first sequence number (default 1)");
  auto* cancel = runs->add_subcommand("cancel", "stop a run");
  cancel->add_option("id", run_id)->required();
  cancel->add_option("--reason", reason, "recorded with the cancellation");

  auto* agent = app.add_subcommand("agent", "about the agent");
  agent->require_subcommand(1);
  auto* info =
      agent->add_subcommand("info", "version, steps, labels, capacity");

  auto* store = app.add_subcommand(
      "store", "store and load artifacts and images (verified by digest)");
  store->require_subcommand(1);
  dso::StoreCommandOptions sto;
  auto* put = store->add_subcommand(
      "put",
      "put SRC [DEST_URL]: a file to file:///DIR, s3://BUCKET/KEY, "
      "nexus+https://HOST/repository/REPO/PATH or ftp://HOST/PATH; an OCI "
      "layout with its signatures to oci://HOST/REPO:TAG; no URL: the "
      "agent's store");
  put->add_option("src", sto.src, "file, or OCI layout dir[:TAG]")->required();
  put->add_option("dest", sto.dest, "destination URL");
  auto* get = store->add_subcommand(
      "get",
      "get SRC DEST: an object (URL, or the agent's sha256:<hex>) into the "
      "file DEST, or an image (oci://...) into the layout dir DEST");
  get->add_option("src", sto.src, "URL or sha256:<hex>")->required();
  get->add_option("dest", sto.dest, "file or layout dir to write")->required();
  get->add_option("--digest", sto.digest,
                  "sha256:... the object must have (else the digest "
                  "recorded when it was stored)");
  get->add_option("--allowlist", sto.allowlist,
                  "YAML of the stores and artifacts loading may use");
  for (auto* sub : {put, get}) {
    sub->add_option("--insecure-registry", sto.insecure_registries,
                    "oci://: speak plain HTTP to this HOST[:PORT] (loopback "
                    "registries always are)");
    sub->add_option("--deadline", sto.deadline_seconds, "seconds; 0 = default");
    sub->add_option("--idempotency-key", sto.idempotency_key,
                    "retry-safe key (default: random)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : dso::kExitUsage;
  }
  if (*exec) return dso::CmdExec(g, ex);
  if (*scan) return dso::CmdScan(g, sc);
  if (*db_import || *db_info) return dso::CmdDb(g, dbo);
  if (*gate) return dso::CmdGate(g, go);
  if (*build) return dso::CmdBuild(g, bo);
  if (*keys_generate) return dso::CmdKeysGenerate(g, key_prefix);
  if (*keys_public) return dso::CmdKeysPublic(g, public_keyref, public_out);
  if (*sign) return dso::CmdSign(g, so);
  if (*verify) return dso::CmdVerify(g, vo);
  if (*deploy) {
    for (CLI::App* sub : deploy_actions) {
      if (*sub) dpo.action = sub->get_name();
    }
    return dso::CmdDeploy(g, dpo);
  }
  if (*list) return dso::CmdRunsList(g, limit);
  if (*show) return dso::CmdRunsShow(g, run_id);
  if (*attach) return dso::CmdRunsAttach(g, run_id, from);
  if (*cancel) return dso::CmdRunsCancel(g, run_id, reason);
  if (*info) return dso::CmdAgentInfo(g);
  if (*put) return dso::CmdStorePut(g, sto);
  if (*get) return dso::CmdStoreGet(g, sto);
  return dso::kExitUsage;
}
