// dsoctl deploy: the "deploy" step through the agent or embedded — an
// image admitted (verified with the target's key) and released to a host
// target, or a target stopped, its status, its RASP events.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsoctl/commands.h"
#include "dsoctl/image_args.h"
#include "dsoctl/run_command.h"
#include "dsoctl/transfer.h"

namespace dso {

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
  std::map<std::string, std::string> wanted =
      OutputPaths(g.json_path, {{"manifests.yaml", o.manifests}});
  return RunAndFinish(g, **conn, "deploy", start, req, wanted);
}

}  // namespace dso
