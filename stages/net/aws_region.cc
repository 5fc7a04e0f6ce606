#include "stages/net/aws_region.h"

#include "absl/strings/str_cat.h"

namespace dso {

absl::StatusOr<std::string> AwsRegion(
    const std::function<std::string(const std::string&)>& lookup,
    const std::string& what) {
  std::string region = lookup("AWS_REGION");
  if (region.empty()) region = lookup("AWS_DEFAULT_REGION");
  if (region.empty()) return std::string("us-east-1");
  if (region.size() > 64 ||
      region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
          std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": AWS region '", region.substr(0, 64),
        "' is not a region name (lower-case letters, digits and '-')"));
  }
  return region;
}

}  // namespace dso
