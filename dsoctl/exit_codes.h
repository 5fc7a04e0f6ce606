// dsoctl's exit codes (the contract, in the README): 0 success, 1 policy
// outcome, 2 bad usage or input, 3 agent or infrastructure error, 130
// cancelled.
#ifndef DSO_DSOCTL_EXIT_CODES_H_
#define DSO_DSOCTL_EXIT_CODES_H_

#include "absl/status/status.h"
#include "dso/v1/agent.pb.h"

namespace dso {

inline constexpr int kExitOk = 0;
inline constexpr int kExitPolicy = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInfra = 3;
inline constexpr int kExitCancelled = 130;

// For an error status: 2 when the input or request was wrong, 3 otherwise.
int ExitCodeForStatus(const absl::Status& status);
int ExitCodeForResult(const dso::v1::Result& result);

}  // namespace dso

#endif  // DSO_DSOCTL_EXIT_CODES_H_
