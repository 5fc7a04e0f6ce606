#include "dsoctl/run_request.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dsoctl/exit_codes.h"
#include "dsoctl/summary.h"
#include "dsoctl/transfer.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"

namespace dso {

dso::v1::RunStepRequest NewRunRequest(const std::string& step,
                                      const std::string& idempotency_key,
                                      uint32_t deadline_seconds) {
  dso::v1::RunStepRequest req;
  req.set_step(step);
  req.set_idempotency_key(idempotency_key);
  req.set_deadline_seconds(deadline_seconds);
  return req;
}

// Prints the error and writes an error summary.
void CopyEnvSecrets(std::initializer_list<const char*> names,
                    dso::v1::RunStepRequest* req) {
  for (const char* name : names) {
    const char* v = std::getenv(name);
    if (v != nullptr) (*req->mutable_secrets())[name] = v;
  }
}

absl::StatusOr<std::string> ReadOptionFile(const std::string& flag,
                                           const std::string& path) {
  auto text = ReadFile(path, FileKind::kConfig);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " '", path, "' cannot be read: ", text.status().message()));
  }
  return text;
}

int Fail(const GlobalOptions& g, const std::string& step,
         const absl::Status& status) {
  int code = ExitCodeForStatus(status);
  std::cerr << "dsoctl " << step << ": " << status.message() << "\n";
  std::string agent =
      g.connection.agent.empty() ? "embedded" : g.connection.agent;
  return WriteSummary(g.json_path, ErrorSummary(step, agent, status, code),
                      code);
}

int FinishRun(const GlobalOptions& g, AgentConnection& conn,
              const std::string& step, absl::Time start,
              absl::StatusOr<FollowResult> run,
              std::map<std::string, std::string> local_paths) {
  if (!run.ok()) return Fail(g, step, run.status());
  int code = run->interrupted_by_user ? kExitCancelled
                                      : ExitCodeForResult(run->result);
  RunSummaryInput in{step, conn.target(), code, absl::Now() - start,
                     std::move(local_paths)};
  return WriteSummary(g.json_path, RunSummary(in, *run), code);
}

int RunAndFinish(const GlobalOptions& g, AgentConnection& conn,
                 const std::string& step, absl::Time start,
                 const dso::v1::RunStepRequest& req, const OutputPlan& plan) {
  auto run = RunAndFollow(conn, req);
  std::map<std::string, std::string> local;
  if (run.ok()) {
    auto got = DownloadOutputs(conn, *run, plan);
    if (!got.ok()) return Fail(g, step, got.status());
    local = *std::move(got);
  }
  return FinishRun(g, conn, step, start, std::move(run), std::move(local));
}

int DataSummary(const GlobalOptions& g, const std::string& step,
                nlohmann::ordered_json data) {
  nlohmann::ordered_json j;
  j["schema"] = "dso.summary/v1";
  j["step"] = step;
  j["outcome"] = "SUCCEEDED";
  j["exit_code"] = 0;
  j["data"] = std::move(data);
  return WriteSummary(g.json_path, j, kExitOk);
}

}  // namespace dso
