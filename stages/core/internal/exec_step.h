// ExecStep ("exec"): runs a command and streams its output.
//
// The command runs in its own process group with a minimal environment
// (PATH, HOME, LANG, TMPDIR=<scratch>) plus the request's env, in the
// request's workdir (or the scratch directory). stdout and stderr arrive as
// log events, batched by what each read() returns and split at line ends.
// On cancellation or deadline the whole group gets SIGTERM, then SIGKILL
// after the grace period; processes left when the command exits are
// killed too — its group, and every process of the run's cgroup or with
// its marker (run_processes.h), so nothing outlives the step.
//
// Outcome: SUCCEEDED for exit status 0, POLICY_FAILED for any other status
// or a signal (Result.exit_code holds the status, 128+N for signal N),
// ERROR when the command cannot be started, CANCELLED when cancelled.
#ifndef DSO_STAGES_CORE_INTERNAL_EXEC_STEP_H_
#define DSO_STAGES_CORE_INTERNAL_EXEC_STEP_H_

#include "stages/core/step.h"

namespace dso {

class ExecStep : public Step {
 public:
  std::string name() const override { return "exec"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  // "exec: ARGV...".
  std::string Describe(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

}  // namespace dso

#endif  // DSO_STAGES_CORE_INTERNAL_EXEC_STEP_H_
