// What dsoctl's step commands share: run requests, failure reporting
// and turning a followed run into an exit code and a --json summary.
#ifndef DSO_DSOCTL_RUN_REQUEST_H_
#define DSO_DSOCTL_RUN_REQUEST_H_

#include <initializer_list>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dsoctl/commands.h"
#include "dsoctl/follow.h"
#include "dsoctl/transfer.h"
#include "nlohmann/json.hpp"

namespace dso {

// A RunStep request for `step` with the user's idempotency key (if any; the
// request gets a fresh one when sent to an agent, follow.h) and deadline
// (0: the agent's default).
dso::v1::RunStepRequest NewRunRequest(const std::string& step,
                                      const std::string& idempotency_key,
                                      uint32_t deadline_seconds);

// Copies the variables of this environment named in `names` (those set)
// into the request's secrets: credentials for this run only.
void CopyEnvSecrets(std::initializer_list<const char*> names,
                    dso::v1::RunStepRequest* req);

// The text of the file a command-line option names; InvalidArgument
// "FLAG 'PATH' is a directory, not a file" or "... cannot be read: why".
absl::StatusOr<std::string> ReadOptionFile(const std::string& flag,
                                           const std::string& path);

// Prints "dsoctl STEP: message", writes an error summary and returns the
// exit code for the status.
int Fail(const GlobalOptions& g, const std::string& step,
         const absl::Status& status);

// Writes a command's data (not a run's) as its --json summary; returns 0.
int DataSummary(const GlobalOptions& g, const std::string& step,
                nlohmann::ordered_json data);

// The exit code and --json summary of a followed run; `local_paths` names
// where its artifacts were saved.
int FinishRun(const GlobalOptions& g, AgentConnection& conn,
              const std::string& step, absl::Time start,
              absl::StatusOr<FollowResult> run,
              std::map<std::string, std::string> local_paths = {});

// Runs `req` and follows it, saves the artifacts `plan` names (transfer.h),
// then finishes as FinishRun.
int RunAndFinish(const GlobalOptions& g, AgentConnection& conn,
                 const std::string& step, absl::Time start,
                 const dso::v1::RunStepRequest& req, const OutputPlan& plan);

}  // namespace dso

#endif  // DSO_DSOCTL_RUN_REQUEST_H_
