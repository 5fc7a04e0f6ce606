// The --json summary dsoctl writes (schema documented in docs/json-summary.md):
// the stable, machine-readable outcome the Jenkins library reads.
#ifndef DSO_DSOCTL_SUMMARY_H_
#define DSO_DSOCTL_SUMMARY_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "dsoctl/follow.h"
#include "nlohmann/json.hpp"

namespace dso {

struct RunSummaryInput {
  std::string step;
  std::string agent;  // "embedded", "unix:///..." or host:port
  int exit_code = 0;
  absl::Duration duration;
  // Local copies of artifacts: name -> path.
  std::map<std::string, std::string> local_paths;
};

// The summary of a run that produced a result.
nlohmann::ordered_json RunSummary(const RunSummaryInput& in,
                                  const FollowResult& run);
// The summary of a command that failed before or without a result.
nlohmann::ordered_json ErrorSummary(const std::string& step,
                                    const std::string& agent,
                                    const absl::Status& status, int exit_code);

// Writes the summary atomically; a failure is reported on stderr and turns
// a successful exit code into 3 (the caller relies on the file).
int WriteSummary(const std::string& path, const nlohmann::ordered_json& json,
                 int exit_code);

}  // namespace dso

#endif  // DSO_DSOCTL_SUMMARY_H_
