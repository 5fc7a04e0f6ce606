#include "stages/core/exception_status.h"

#include <exception>
#include <new>

#include "absl/strings/str_cat.h"

namespace dso {

absl::Status CurrentExceptionStatus(absl::string_view what) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, " ran out of memory; its input is too large for this agent"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, " failed: ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(what, " failed unexpectedly"));
  }
}

}  // namespace dso
