// Running a step through the agent and following its events to the end:
// live output on the terminal, Ctrl-C turned into a Cancel of the run, and
// a broken connection (agent restart, network) resumed by re-attaching from
// the last sequence number seen.
#ifndef DSO_DSOCTL_FOLLOW_H_
#define DSO_DSOCTL_FOLLOW_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dso/v1/agent.pb.h"
#include "dsoctl/connection.h"

namespace dso {

struct FollowResult {
  std::string run_id;
  dso::v1::Result result;
  std::vector<dso::v1::Artifact> artifacts;
  std::vector<dso::v1::Finding> findings;
  uint64_t last_seq = 0;
  bool interrupted_by_user = false;  // Ctrl-C before any result arrived
};

// Starts the run (RunStep) and follows it.
absl::StatusOr<FollowResult> RunAndFollow(
    AgentConnection& conn, const dso::v1::RunStepRequest& request);
// Follows an existing run from `from_seq`.
absl::StatusOr<FollowResult> AttachAndFollow(AgentConnection& conn,
                                             const std::string& run_id,
                                             uint64_t from_seq);

// Blocks SIGINT and SIGTERM for the process and starts the thread that
// turns them into cancellation. Call first thing in main.
void InstallInterruptHandler();

}  // namespace dso

#endif  // DSO_DSOCTL_FOLLOW_H_
