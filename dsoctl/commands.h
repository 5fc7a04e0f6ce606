// The options of dsoctl's commands, as their flags set them (each command
// file adds its flags: command.h), and the global ones. A command returns
// the process exit code (exit_codes.h) and writes the --json summary when
// one was asked for.
#ifndef DSO_DSOCTL_COMMANDS_H_
#define DSO_DSOCTL_COMMANDS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsoctl/connection.h"

namespace dso {

struct GlobalOptions {
  ConnectionOptions connection;
  std::string json_path;
};

struct ExecOptions {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // NAME=VALUE
  std::string cwd;               // default: the current directory
  bool no_workdir = false;       // run in the agent's scratch directory
  std::vector<std::string> collect;
  uint32_t deadline_seconds = 0;
  uint32_t kill_grace_seconds = 0;
  std::string idempotency_key;
};

struct ScanOptions {
  std::string path;
  std::string image;
  std::vector<std::string> scanners;  // names or comma-separated lists
  std::string config;                 // a gitleaks TOML file
  bool git = false;
  bool gitignore = false;  // leave out what .gitignore ignores
  std::string since;       // with --git: only commits not reachable from this
  std::string sarif;       // SARIF 2.1.0 report file
  std::string report;      // report file in --format
  std::string format = "json";      // json | gitleaks
  std::string fail_on;              // severity name
  bool fail_on_unreadable = false;  // exit 1 when a file could not be read
  std::vector<std::string> ignore_files;  // .gitleaksignore-style files
  uint32_t threads = 0;
  std::optional<uint32_t> max_decode_depth;  // unset: the step's default
  std::string db;    // vulnerability database dir; empty: the agent's
  std::string sbom;  // write a CycloneDX SBOM of the packages found here
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};

struct DbOptions {
  std::string db;                  // empty: the agent's (data dir/osv)
  std::vector<std::string> paths;  // import these; none: only show info
  std::string idempotency_key;
};

struct GateOptions {
  uint32_t level = 0;
  std::vector<std::string> reports;
  std::string stage = "source";
  std::string policy, waivers, baseline;
  std::string junit;      // write the JUnit XML here
  std::string decision;   // write the decision JSON here
  std::string statement;  // write the in-toto statement here
  std::string mode = "enforce";
  std::string date;                   // YYYY-MM-DD; default today
  std::vector<std::string> evidence;  // cosign verify(-attestation) output
  std::string subject;                // the image digest they must cover
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};

struct BuildOptions {
  std::string context, out;
  std::string base;  // OCI layout dir, docker archive, "scratch" or ""
  std::string base_ref;
  std::string app_dir = "/app";
  std::string entrypoint, cmd;  // JSON array or words
  std::vector<std::string> env, expose, labels, files;
  std::string user, workdir, tag;
  std::string docker_archive;  // also write a `docker load` tar here
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};
struct SignCommandOptions {
  std::string image, key;
  std::string blob, signature_out;  // sign-blob: the file, where the sig goes
  std::vector<std::string> attest, types, annotations;
  bool no_signature = false;
  bool provenance = false;
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};

struct VerifyCommandOptions {
  std::string image, key;
  std::string blob, signature;  // verify-blob: the file, its sig (file/b64)
  std::vector<std::string> require;
  std::vector<std::string> require_gate;  // STAGE:LEVEL
  std::string digest;  // pinned: the reference must name this
  std::string signatures_out, attestations_out;
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};

struct DeployCommandOptions {
  std::string action = "deploy";  // deploy | stop | events | status
  std::string image, target, verify_key, digest, health, rasp, strategy, name;
  std::string manifests;  // kubernetes: where to write manifests.yaml
  bool render_only = false;
  std::vector<std::string> require, require_gate, command, env, include;
  uint32_t port = 0, keep = 0, health_timeout = 0, limit = 0;
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};

struct StoreCommandOptions {
  std::string src, dest;
  std::string digest;     // get: the object must have this sha256
  std::string allowlist;  // get: a loading allowlist YAML file
  std::vector<std::string> insecure_registries;
  uint32_t deadline_seconds = 0;
  std::string idempotency_key;
};

}  // namespace dso

#endif  // DSO_DSOCTL_COMMANDS_H_
