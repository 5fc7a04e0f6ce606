// Git's delta format (the "deltified" objects of pack files): a new object
// written as copies from a base object and inserted bytes. Everything in a
// delta is checked against the base and the declared size, since a
// repository being scanned may be anyone's.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_DELTA_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_DELTA_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// The object `delta` makes of `base`. Fails (DataLoss) when the delta is
// malformed, does not fit `base`, or would make more than `max_size` bytes.
absl::StatusOr<std::string> ApplyGitDelta(absl::string_view base,
                                          absl::string_view delta,
                                          size_t max_size);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_DELTA_H_
