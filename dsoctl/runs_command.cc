// dsoctl runs (list, show, attach, cancel) and dsoctl agent info: the
// agent's runs and its description.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/follow.h"
#include "dsoctl/run_request.h"
#include "dsoctl/summary.h"
#include "google/protobuf/util/json_util.h"
#include "runtime/run_entry.h"

namespace dso {

using nlohmann::ordered_json;

namespace {

ordered_json ProtoJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return ordered_json::parse(out);
}

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

}  // namespace

std::unique_ptr<Command> NewRunsCommand() {
  struct Runs final : Command {
    uint32_t limit = 0;
    std::string run_id, reason;
    uint64_t from = 1;
    CLI::App *list = nullptr, *show = nullptr, *attach = nullptr,
             *cancel = nullptr;
    void AddTo(CLI::App& app) override {
      auto* runs =
          app.add_subcommand("runs", "list, show, attach to or cancel runs");
      runs->require_subcommand(1);
      list =
          runs->add_subcommand("list", "runs kept by the agent, newest first");
      list->add_option("--limit", limit, "at most this many");
      show = runs->add_subcommand("show", "one run's state and result");
      show->add_option("id", run_id)->required();
      attach = runs->add_subcommand("attach", "follow a run's events");
      attach->add_option("id", run_id)->required();
      attach->add_option("--from", from, "first sequence number (default 1)");
      cancel = runs->add_subcommand("cancel", "stop a run");
      cancel->add_option("id", run_id)->required();
      cancel->add_option("--reason", reason, "recorded with the cancellation");
    }
    std::optional<int> RunIfChosen(const GlobalOptions& g) override {
      if (list->parsed()) return CmdRunsList(g, limit);
      if (show->parsed()) return CmdRunsShow(g, run_id);
      if (attach->parsed()) return CmdRunsAttach(g, run_id, from);
      if (cancel->parsed()) return CmdRunsCancel(g, run_id, reason);
      return std::nullopt;
    }
  };
  return std::make_unique<Runs>();
}

std::unique_ptr<Command> NewAgentCommand() {
  return SimpleCommand(
      [](CLI::App& app) {
        auto* agent = app.add_subcommand("agent", "about the agent");
        agent->require_subcommand(1);
        return agent->add_subcommand("info",
                                     "version, steps, labels, capacity");
      },
      [](const GlobalOptions& g) { return CmdAgentInfo(g); });
}

void AddRunsCommands(Commands& all) {
  all.push_back(NewRunsCommand());
  all.push_back(NewAgentCommand());
}

}  // namespace dso
