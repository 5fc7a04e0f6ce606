// The "db" step: imports OSV records into the local vulnerability database
// and reports what it holds (`dsoctl db import|info`).
#ifndef DSO_STAGES_SCAN_DEPS_DB_STEP_H_
#define DSO_STAGES_SCAN_DEPS_DB_STEP_H_

#include <string>
#include <utility>

#include "stages/core/step.h"

namespace dso {

class DbStep : public Step {
 public:
  // `db_dir`: the database a request that names none uses.
  explicit DbStep(std::string db_dir) : db_dir_(std::move(db_dir)) {}
  std::string name() const override { return "db"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;

 private:
  std::string db_dir_;
};

// The database directory: `given` when not empty (a path a request names,
// so resolved beneath the agent's allowed roots), else `configured` (the
// agent's: its data dir's osv/ unless its config's db_dir or $DSO_DB_DIR
// says otherwise).
absl::StatusOr<std::string> DatabaseDir(StepContext& context,
                                        const std::string& given,
                                        const std::string& configured);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_DB_STEP_H_
