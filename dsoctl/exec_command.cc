// dsoctl exec: a command run as a step, in the agent's scratch directory
// or in a copy (or, locally, the descriptor) of the working directory.
#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/follow.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"
#include "stages/core/relative_path.h"

namespace dso {

namespace fs = std::filesystem;

namespace {

int CmdExec(const GlobalOptions& g, const ExecOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req =
      NewRunRequest("exec", o.idempotency_key, o.deadline_seconds);
  auto* p = req.mutable_exec();
  for (const auto& a : o.argv) p->add_argv(a);
  for (const auto& kv : o.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(g, "exec",
                  absl::InvalidArgumentError(
                      absl::StrCat("--env '", kv, "' must be NAME=VALUE")));
    }
    (*p->mutable_env())[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& c : o.collect) {
    if (!IsSafeRelativePath(c)) {
      return Fail(
          g, "exec",
          absl::InvalidArgumentError(absl::StrCat(
              "--collect '", c, "' must be a relative path without '..'")));
    }
    p->add_collect(c);
  }
  p->set_kill_grace_seconds(o.kill_grace_seconds);
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "exec", conn.status());
  std::string cwd = o.cwd.empty() ? fs::current_path().string() : o.cwd;
  if (!o.no_workdir) {
    auto input = PrepareInput(**conn, cwd);
    if (!input.ok()) return Fail(g, "exec", input.status());
    *p->mutable_workdir() = *input;
  }
  // The files collected, where the command wrote them: brought back when
  // it ran elsewhere.
  OutputPlan plan;
  for (const auto& c : o.collect) {
    plan[c] = {(fs::path(cwd) / c).string(), false,
               p->workdir().has_local_path()};
  }
  return RunAndFinish(g, **conn, "exec", start, req, plan);
}

}  // namespace

std::unique_ptr<Command> NewExecCommand() {
  auto o = std::make_shared<ExecOptions>();
  return SimpleCommand(
      [o](CLI::App& app) {
        auto* exec = app.add_subcommand(
            "exec", "run a command as a step: exec -- CMD ARGS...");
        exec->add_option("--env", o->env,
                         "NAME=VALUE for the command; repeatable")
            ->allow_extra_args(false);
        exec->add_option("--cwd", o->cwd,
                         "working directory (default: current)");
        exec->add_flag("--no-workdir", o->no_workdir,
                       "run in the agent's scratch directory, send no files");
        exec->add_option("--collect", o->collect,
                         "file (relative to the working directory) to bring "
                         "back as an artifact; repeatable")
            ->allow_extra_args(false);
        AddRunFlags(exec, &o->deadline_seconds, &o->idempotency_key);
        exec->add_option("--kill-grace", o->kill_grace_seconds,
                         "seconds between SIGTERM and SIGKILL on cancellation");
        exec->add_option("command", o->argv, "the command and its arguments")
            ->required();
        return exec;
      },
      [o](const GlobalOptions& g) { return CmdExec(g, *o); });
}

void AddExecCommands(Commands& all) { all.push_back(NewExecCommand()); }

}  // namespace dso
