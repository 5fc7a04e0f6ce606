#include "stages/net/internal/curl_api.h"

#include "stages/core/lazy_library.h"

namespace dso {
namespace {

absl::Status BindAll(LazyLibrary& lib, CurlApi& api) {
  for (absl::Status s : {lib.Bind("curl_global_init", api.global_init),
                         lib.Bind("curl_easy_init", api.easy_init),
                         lib.Bind("curl_easy_setopt", api.easy_setopt),
                         lib.Bind("curl_easy_perform", api.easy_perform),
                         lib.Bind("curl_easy_getinfo", api.easy_getinfo),
                         lib.Bind("curl_easy_cleanup", api.easy_cleanup),
                         lib.Bind("curl_easy_strerror", api.easy_strerror),
                         lib.Bind("curl_slist_append", api.slist_append),
                         lib.Bind("curl_slist_free_all", api.slist_free_all)}) {
    if (!s.ok()) return s;
  }
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return absl::InternalError("libcurl failed to initialise");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<const CurlApi*> Curl() {
  static LazyLibrary* const lib = new LazyLibrary({"libcurl.so.4"});
  static CurlApi* const api = new CurlApi{};
  static const absl::Status* const status =
      new absl::Status(BindAll(*lib, *api));
  if (!status->ok()) return *status;
  return api;
}

}  // namespace dso
