#include "dsoctl/commands.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "dsoctl/exit_codes.h"
#include "dsoctl/follow.h"
#include "dsoctl/run_command.h"
#include "dsoctl/summary.h"
#include "dsoctl/transfer.h"
#include "runtime/run_entry.h"
#include "google/protobuf/util/json_util.h"
#include "stages/core/relative_path.h"

namespace dso {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

ordered_json ProtoJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return ordered_json::parse(out);
}

}  // namespace

int DataSummary(const GlobalOptions& g, const std::string& step,
                ordered_json data) {
  ordered_json j;
  j["schema"] = "dso.summary/v1";
  j["step"] = step;
  j["outcome"] = "SUCCEEDED";
  j["exit_code"] = 0;
  j["data"] = std::move(data);
  return WriteSummary(g.json_path, j, kExitOk);
}

namespace {

std::string FormatTime(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", FromTimestamp(ts),
                          absl::LocalTimeZone());
}

std::string StateText(const dso::v1::Run& r) {
  return r.state() == dso::v1::RUNNING ? "RUNNING"
                                       : dso::v1::Outcome_Name(r.outcome());
}

absl::StatusOr<dso::v1::Run> FetchRun(AgentConnection& conn,
                                      const std::string& id) {
  dso::v1::GetRunRequest req;
  req.set_run_id(id);
  return conn.client().GetRun(req);
}

}  // namespace

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
  auto run = RunAndFollow(**conn, req);
  std::map<std::string, std::string> local;
  if (run.ok()) {
    bool by_path = p->workdir().has_local_path();
    for (const auto& a : run->artifacts) {
      std::string dest = (fs::path(cwd) / a.name()).string();
      if (!by_path) {
        // The command ran elsewhere: bring its outputs back.
        auto got = DownloadBlob(**conn, a.digest(), dest);
        if (!got.ok()) return Fail(g, "exec", got.status());
      }
      local[a.name()] = dest;
    }
  }
  return FinishRun(g, **conn, "exec", start, std::move(run), std::move(local));
}

int CmdRunsList(const GlobalOptions& g, uint32_t limit) {
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "runs", conn.status());
  // Page by page (the agent keeps each response small) up to `limit`.
  dso::v1::ListRunsResponse resp;
  dso::v1::ListRunsRequest req;
  do {
    if (limit) req.set_limit(limit - resp.runs_size());
    absl::StatusOr<dso::v1::ListRunsResponse> page =
        (*conn)->client().ListRuns(req);
    if (!page.ok()) return Fail(g, "runs", page.status());
    for (auto& r : *page->mutable_runs()) *resp.add_runs() = std::move(r);
    req.set_page_token(page->next_page_token());
  } while (!req.page_token().empty() &&
           (limit == 0 || static_cast<uint32_t>(resp.runs_size()) < limit));
  printf("%-26s %-6s %-13s %-19s %s\n", "RUN", "STEP", "STATE", "CREATED",
         "DESCRIPTION");
  for (const auto& r : resp.runs()) {
    printf("%-26s %-6s %-13s %-19s %s\n", r.id().c_str(), r.step().c_str(),
           StateText(r).c_str(), FormatTime(r.created()).c_str(),
           r.description().c_str());
  }
  return DataSummary(g, "runs", ProtoJson(resp));
}

int CmdRunsShow(const GlobalOptions& g, const std::string& id) {
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "runs", conn.status());
  auto run = FetchRun(**conn, id);
  if (!run.ok()) return Fail(g, "runs", run.status());
  const dso::v1::Run& r = *run;
  printf(
      "run:         %s\nstep:        %s\nstate:       %s\n"
      "description: %s\nidentity:    %s\ncreated:     %s\n"
      "finished:    %s\nevents:      %llu\n",
      r.id().c_str(), r.step().c_str(), StateText(r).c_str(),
      r.description().c_str(), r.identity().c_str(),
      FormatTime(r.created()).c_str(), FormatTime(r.finished()).c_str(),
      static_cast<unsigned long long>(r.last_seq()));
  if (r.has_result()) {
    printf("message:     %s\n", r.result().message().c_str());
    if (r.step() == "exec") printf("exit code:   %d\n", r.result().exit_code());
  }
  return DataSummary(g, "runs", ProtoJson(r));
}

int CmdRunsAttach(const GlobalOptions& g, const std::string& id,
                  uint64_t from) {
  absl::Time start = absl::Now();
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "runs", conn.status());
  auto run = FetchRun(**conn, id);
  if (!run.ok()) return Fail(g, "runs", run.status());
  const dso::v1::Run& r = *run;
  return FinishRun(g, **conn, r.step(), start,
                   AttachAndFollow(**conn, id, std::max<uint64_t>(from, 1)));
}

int CmdRunsCancel(const GlobalOptions& g, const std::string& id,
                  const std::string& reason) {
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "runs", conn.status());
  dso::v1::CancelRequest req;
  req.set_run_id(id);
  req.set_reason(reason);
  absl::StatusOr<dso::v1::Run> cancelled = (*conn)->client().Cancel(req);
  if (!cancelled.ok()) return Fail(g, "runs", cancelled.status());
  const dso::v1::Run& r = *cancelled;
  printf("%s: %s\n", r.id().c_str(),
         r.state() == dso::v1::RUNNING ? "cancelling" : StateText(r).c_str());
  return DataSummary(g, "runs", ProtoJson(r));
}

int CmdAgentInfo(const GlobalOptions& g) {
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "agent", conn.status());
  auto info = (*conn)->Info();
  if (!info.ok()) return Fail(g, "agent", info.status());
  printf(
      "agent:        %s\nversion:      %s\nhostname:     %s\n"
      "steps:        %s\nruns:         %u active of %u allowed\n"
      "allowed roots: %s\n",
      (*conn)->target().c_str(), info->version().c_str(),
      info->hostname().c_str(), absl::StrJoin(info->steps(), ", ").c_str(),
      info->active_runs(), info->max_concurrent_runs(),
      info->allowed_roots().empty()
          ? "(none)"
          : absl::StrJoin(info->allowed_roots(), ", ").c_str());
  // How a directory of this machine reaches the agent's runs.
  printf(
      "other inputs: %s\n",
      info->handle_socket().empty()
          ? "sent as tars"
          : absl::StrCat("handed over by descriptor on ", info->handle_socket(),
                         " (its own user or root), else sent as tars")
                .c_str());
  for (const auto& [k, v] : info->labels()) {
    printf("label:        %s=%s\n", k.c_str(), v.c_str());
  }
  printf("you are:      %s\nyou may:      %s\n",
         info->caller_identity().c_str(),
         absl::StrJoin(info->caller_rights(), ", ").c_str());
  return DataSummary(g, "agent", ProtoJson(*info));
}

}  // namespace dso
