// The AWS region a request or the agent names (AWS_REGION, else
// AWS_DEFAULT_REGION, else us-east-1). Regions become part of host names
// (bucket.s3.REGION.amazonaws.com, kms.REGION.amazonaws.com), so one that
// is not a plain region name ("x@evil.example#") is refused: it would send
// signed requests, and the agent's credentials, to another host.
#ifndef DSO_STAGES_NET_AWS_REGION_H_
#define DSO_STAGES_NET_AWS_REGION_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"

namespace dso {

// `lookup` returns a variable's value, "" when unset; `what` names the
// store or key for messages.
absl::StatusOr<std::string> AwsRegion(
    const std::function<std::string(const std::string&)>& lookup,
    const std::string& what);

}  // namespace dso

#endif  // DSO_STAGES_NET_AWS_REGION_H_
