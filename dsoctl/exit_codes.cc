#include "dsoctl/exit_codes.h"

namespace dso {

int ExitCodeForStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnimplemented:
      return kExitUsage;
    case absl::StatusCode::kCancelled:
      return kExitCancelled;
    default:
      return kExitInfra;
  }
}

int ExitCodeForResult(const dso::v1::Result& result) {
  switch (result.outcome()) {
    case dso::v1::SUCCEEDED:
      return kExitOk;
    case dso::v1::POLICY_FAILED:
      return kExitPolicy;
    case dso::v1::CANCELLED:
      return kExitCancelled;
    case dso::v1::ERROR:
      return ExitCodeForStatus(absl::Status(
          static_cast<absl::StatusCode>(result.error_code()), "x"));
    default:
      return kExitInfra;  // INTERRUPTED or unknown
  }
}

}  // namespace dso
