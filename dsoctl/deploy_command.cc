// dsoctl deploy: the "deploy" step through the agent or embedded — an
// image admitted (verified with the target's key) and released to a host
// target, or a target stopped, its status, its RASP events.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/image_args.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"

namespace dso {
namespace {

int CmdDeploy(const GlobalOptions& g, const DeployCommandOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("deploy", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_deploy();
  p->set_action(o.action);
  p->set_target(o.target);
  if (o.target.empty()) {
    return Fail(g, "deploy",
                absl::InvalidArgumentError(
                    "--target is required (a target of the agent's config, "
                    "or host://DIR)"));
  }
  p->set_name(o.name);
  p->set_events_limit(o.limit);
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "deploy", conn.status());
  if (o.action == "deploy") {
    if (o.image.empty()) {
      return Fail(g, "deploy",
                  absl::InvalidArgumentError("--image is required"));
    }
    p->set_verify_key(o.verify_key);
    auto public_pem = AddKeySecrets("--verify-key", o.verify_key, &req);
    if (!public_pem.ok()) return Fail(g, "deploy", public_pem.status());
    p->set_verify_key_pem(*public_pem);
    for (const std::string& t : o.require) p->add_require(t);
    for (const std::string& gate : o.require_gate) p->add_require_gate(gate);
    p->set_pinned_digest(o.digest);
    p->set_health(o.health);
    p->set_health_timeout_seconds(o.health_timeout);
    p->set_strategy(o.strategy);
    p->set_port(o.port);
    p->set_keep(o.keep);
    p->set_render_only(o.render_only);
    for (const std::string& c : o.command) p->add_command(c);
    for (const std::string& e : o.env) p->add_env(e);
    for (const std::string& i : o.include) p->add_include(i);
    if (!o.rasp.empty()) {
      auto policy = PrepareFileInput(**conn, "--rasp", o.rasp);
      if (!policy.ok()) return Fail(g, "deploy", policy.status());
      *p->mutable_rasp_policy() = *std::move(policy);
    }
    auto layout = SetImageLocation(**conn, o.image, p->mutable_image());
    if (!layout.ok()) return Fail(g, "deploy", layout.status());
  }
  OutputPlan wanted =
      OutputPaths(g.json_path, {{"manifests.yaml", o.manifests}});
  return RunAndFinish(g, **conn, "deploy", start, req, wanted);
}

}  // namespace

std::unique_ptr<Command> NewDeployCommand() {
  struct Deploy final : Command {
    DeployCommandOptions o;
    CLI::App* deploy = nullptr;
    std::vector<CLI::App*> actions;
    void AddTo(CLI::App& app) override {
      deploy = app.add_subcommand(
          "deploy",
          "deploy a verified image to a target, under runtime "
          "self-protection");
      deploy->add_option("--image", o.image,
                         "OCI layout dir (DIR:TAG) or "
                         "REGISTRY/REPO:TAG|@DIGEST");
      deploy->add_option("--target", o.target,
                         "a target of the agent's config, or host://DIR");
      deploy
          ->add_option("--verify-key", o.verify_key,
                       "the key the image must be signed with (public key "
                       "file or KEYREF); default: the target's")
          ->envname("DSO_VERIFY_KEY");
      deploy->add_option("--require", o.require,
                         "attestation types that must be verified (repeat; "
                         "default: sbom, provenance)");
      deploy->add_option("--require-gate", o.require_gate,
                         "STAGE:LEVEL a verified gate decision must pass "
                         "(default: final:<the target's level>)");
      deploy->add_option("--digest", o.digest,
                         "sha256:... the image must be (a moved tag is "
                         "refused)");
      deploy->add_option("--health", o.health,
                         "http(s)://URL that must answer 2xx/3xx ({port} "
                         "replaced), or a command that must exit 0");
      deploy->add_option("--health-timeout", o.health_timeout,
                         "seconds to become healthy (default 30)");
      deploy->add_option("--rasp", o.rasp,
                         "RASP policy (YAML) the application runs under "
                         "(default: the target's, else monitor only)");
      deploy->add_option("--strategy", o.strategy, "replace | blue-green");
      deploy->add_option("--port", o.port,
                         "PORT for the application (blue-green: port and "
                         "port+1)");
      deploy->add_option("--keep", o.keep, "releases to keep (default 5)");
      deploy->add_option("--command", o.command,
                         "the command to run instead of the image's (repeat "
                         "per argument)");
      deploy->add_option("--env", o.env, "NAME=VALUE for the application");
      deploy->add_option("--include", o.include,
                         "image paths to unpack (repeat; default: all)");
      deploy->add_option("--manifests", o.manifests,
                         "Kubernetes targets: write the rendered manifests "
                         "here");
      deploy->add_flag("--render-only", o.render_only,
                       "Kubernetes targets: render the manifests, do not "
                       "apply them with kubectl");
      deploy->add_option("--name", o.name,
                         "the deployment's name in events (host://DIR: "
                         "default the directory's name)");
      AddRunFlags(deploy, &o.deadline_seconds, &o.idempotency_key);
      deploy->require_subcommand(0, 1);
      struct Action {
        const char* name;
        const char* help;
      };
      for (Action a : {Action{"stop", "stop the application of a target"},
                       Action{"events", "show a target's RASP events"},
                       Action{"status", "a target's releases and process"},
                       Action{"unit",
                              "print a systemd unit running the target's "
                              "current release"}}) {
        auto* sub = deploy->add_subcommand(a.name, a.help);
        sub->add_option("--target,target", o.target,
                        "a target of the agent's config, or host://DIR");
        if (std::string(a.name) == "events") {
          sub->add_option("--limit", o.limit, "the last N events (default 50)");
        }
        actions.push_back(sub);
      }
    }
    std::optional<int> RunIfChosen(const GlobalOptions& g) override {
      if (!deploy->parsed()) return std::nullopt;
      for (CLI::App* sub : actions) {
        if (sub->parsed()) o.action = sub->get_name();
      }
      return CmdDeploy(g, o);
    }
  };
  return std::make_unique<Deploy>();
}

void AddDeployCommands(Commands& all) { all.push_back(NewDeployCommand()); }

}  // namespace dso
