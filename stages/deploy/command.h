// Running a command to its end or a deadline, its output collected: health
// check commands, switch hooks, kubectl.
#ifndef DSO_STAGES_DEPLOY_COMMAND_H_
#define DSO_STAGES_DEPLOY_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dso {

struct CommandResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr, cut at 64 KiB
};

// Runs argv (argv[0] a path) in a process group of its own, with this
// environment plus `env` (NAME=VALUE, replacing), stdin from /dev/null and
// no other descriptor of this process; DEADLINE_EXCEEDED (the group killed)
// when `timeout` passes first.
absl::StatusOr<CommandResult> RunCommand(
    const std::vector<std::string>& argv, absl::Duration timeout,
    const std::vector<std::string>& env = {});

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_COMMAND_H_
