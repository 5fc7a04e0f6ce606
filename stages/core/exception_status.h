// The status of an exception that reached a boundary the agent must not be
// torn down through (a step's Run, an RPC handler): std::bad_alloc on a
// hostile input, or a library's exception nobody caught.
#ifndef DSO_STAGES_CORE_EXCEPTION_STATUS_H_
#define DSO_STAGES_CORE_EXCEPTION_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dso {

// Call inside `catch (...)`: RESOURCE_EXHAUSTED for std::bad_alloc,
// INTERNAL with the exception's text otherwise. `what` names what failed
// ("step 'scan'", "the request").
absl::Status CurrentExceptionStatus(absl::string_view what);

}  // namespace dso

#endif  // DSO_STAGES_CORE_EXCEPTION_STATUS_H_
