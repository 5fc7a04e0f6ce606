#include "stages/scan/secrets/internal/libgit2_api.h"

#include "stages/core/lazy_library.h"

namespace dso {
namespace {

Libgit2Api& Table() {
  static Libgit2Api* const api = new Libgit2Api{};
  return *api;
}

absl::Status BindAndInit() {
  static LazyLibrary* const lib = new LazyLibrary({"libgit2.so.1.5"});
  Libgit2Api& api = Table();
#define DSO_LIBGIT2_BIND(name)                                \
  if (absl::Status s = lib->Bind(#name, api.name); !s.ok()) { \
    return s;                                                 \
  }
  DSO_LIBGIT2_FUNCTIONS(DSO_LIBGIT2_BIND)
#undef DSO_LIBGIT2_BIND
  if (api.git_libgit2_init() < 0) {
    return absl::InternalError("libgit2 failed to initialise");
  }
  api.git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE,
                       static_cast<ssize_t>(16 << 20));
  api.git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadLibgit2() {
  static const absl::Status* const status = new absl::Status(BindAndInit());
  return *status;
}

const Libgit2Api& Git2() { return Table(); }

}  // namespace dso
