// The "db" step: imports OSV records into the local vulnerability database
// and reports what it holds (`dsoctl db import|info`).
#ifndef DSO_STAGES_SCAN_DEPS_DB_STEP_H_
#define DSO_STAGES_SCAN_DEPS_DB_STEP_H_

#include <string>

#include "stages/core/step.h"

namespace dso {

class DbStep : public Step {
 public:
  std::string name() const override { return "db"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

// The database directory: `given` when not empty (a path a request names,
// so resolved beneath the agent's allowed roots), else $DSO_DB_DIR (the
// agent sets it to its data dir's osv/), else $XDG_DATA_HOME/dso/osv, else
// $HOME/.local/share/dso/osv.
absl::StatusOr<std::string> DatabaseDir(StepContext& context,
                                        const std::string& given);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_DB_STEP_H_
