#include "stages/core/lazy_library.h"

#include <dlfcn.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace dso {

LazyLibrary::LazyLibrary(std::vector<std::string> sonames)
    : sonames_(std::move(sonames)) {}

absl::Status LazyLibrary::Load() {
  std::call_once(once_, [this] {
    std::string errors;
    for (const std::string& soname : sonames_) {
      handle_ = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle_ != nullptr) return;
      const char* error = dlerror();
      absl::StrAppend(&errors, errors.empty() ? "" : "; ",
                      error != nullptr ? error : soname);
    }
    load_status_ = absl::FailedPreconditionError(
        absl::StrCat("cannot load ", absl::StrJoin(sonames_, " or "),
                     " (is its package installed?): ", errors));
  });
  return load_status_;
}

absl::Status LazyLibrary::Symbol(const char* name, void** address) {
  if (absl::Status s = Load(); !s.ok()) return s;
  dlerror();
  *address = dlsym(handle_, name);
  if (*address == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(sonames_.front(), " has no function ", name,
                     " (a version older than dso was built against?)"));
  }
  return absl::OkStatus();
}

}  // namespace dso
