// dsoctl gate: sends the reports (and the policy, waivers and baseline) to
// the gate step, through the agent or embedded, and saves the decision's
// JSON, JUnit XML and in-toto statement where asked (else next to the
// --json summary). The policy and waivers are checked here first, so a
// broken file fails before anything runs.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/core/atomic_file.h"
#include "stages/core/status_macros.h"
#include "stages/gate/gate_policy.h"
#include "stages/gate/gate_step.h"
#include "stages/gate/gate_waivers.h"

namespace dso {
namespace {

absl::Status BuildParams(const GateOptions& o, dso::v1::GateParams* p) {
  p->set_level(o.level);
  p->set_stage(o.stage);
  p->set_warn(o.mode == "warn");
  p->set_date(o.date);
  if (!o.policy.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadOptionFile("--policy", o.policy));
    RETURN_IF_ERROR(ParsePolicy(text, o.policy).status());
    RETURN_IF_ERROR(ParseWaivers(text, o.policy, true).status());
    p->set_policy_yaml(text);
    p->set_policy_name(o.policy);
  }
  if (!o.waivers.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadOptionFile("--waivers", o.waivers));
    RETURN_IF_ERROR(ParseWaivers(text, o.waivers).status());
    p->set_waivers_yaml(text);
    p->set_waivers_name(o.waivers);
  }
  return absl::OkStatus();
}

int CmdGate(const GlobalOptions& g, const GateOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("gate", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_gate();
  if (absl::Status s = BuildParams(o, p); !s.ok()) return Fail(g, "gate", s);
  std::vector<std::string> reports;
  for (const auto& list : o.reports) {
    for (absl::string_view r : absl::StrSplit(list, ',', absl::SkipEmpty())) {
      reports.emplace_back(r);
    }
  }
  // Where each output goes: as asked, else next to the --json summary.
  OutputPlan wanted =
      OutputPaths(g.json_path, {{kGateDecisionName, o.decision},
                                {kGateJunitName, o.junit},
                                {kGateStatementName, o.statement}});

  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "gate", conn.status());
  for (const std::string& path : reports) {
    auto input = PrepareFileInput(**conn, "--report", path);
    if (!input.ok()) return Fail(g, "gate", input.status());
    *p->add_reports() = *std::move(input);
    p->add_report_names(path);
  }
  for (const std::string& path : o.evidence) {
    auto input = PrepareFileInput(**conn, "--evidence", path);
    if (!input.ok()) return Fail(g, "gate", input.status());
    *p->add_evidence() = *std::move(input);
    p->add_evidence_names(path);
  }
  p->set_subject(o.subject);
  if (!o.baseline.empty()) {
    auto input = PrepareFileInput(**conn, "--baseline", o.baseline);
    if (!input.ok()) return Fail(g, "gate", input.status());
    *p->mutable_baseline() = *std::move(input);
    p->set_baseline_name(o.baseline);
  }
  return RunAndFinish(g, **conn, "gate", start, req, wanted);
}

}  // namespace

std::unique_ptr<Command> NewGateCommand() {
  auto o = std::make_shared<GateOptions>();
  return SimpleCommand(
      [o](CLI::App& app) {
        auto* gate = app.add_subcommand(
            "gate", "judge reports against the policy for a system level");
        gate->add_option("--level", o->level, "system level, 1 to 4")
            ->required()
            ->check(CLI::Range(1, 4));
        gate->add_option("--report", o->reports,
                         "SARIF, dso JSON or CycloneDX files (repeat or list)")
            ->required();
        gate->add_option("--stage", o->stage,
                         "source (default), container, final")
            ->check(CLI::IsMember({"source", "container", "final"}));
        gate->add_option("--policy", o->policy,
                         "policy YAML (default: the built-in matrix)");
        gate->add_option("--waivers", o->waivers, "waivers YAML");
        gate->add_option("--baseline", o->baseline,
                         "report of known findings: count only new ones");
        gate->add_option("--junit", o->junit,
                         "write the decision as JUnit XML");
        gate->add_option("--decision", o->decision,
                         "write the decision as JSON");
        gate->add_option("--statement", o->statement,
                         "write the decision as an in-toto statement");
        gate->add_option("--mode", o->mode, "enforce (default) or warn")
            ->check(CLI::IsMember({"enforce", "warn"}));
        gate->add_option("--date", o->date,
                         "judge waiver expiry as of this day, YYYY-MM-DD");
        gate->add_option("--evidence", o->evidence,
                         "final stage: what cosign verify / "
                         "verify-attestation printed (repeat)");
        gate->add_option("--subject", o->subject,
                         "final stage: the image digest (sha256:...) the "
                         "evidence must cover");
        AddRunFlags(gate, &o->deadline_seconds, &o->idempotency_key);
        return gate;
      },
      [o](const GlobalOptions& g) { return CmdGate(g, *o); });
}

void AddGateCommands(Commands& all) { all.push_back(NewGateCommand()); }

}  // namespace dso
