// CurlApi: the libcurl functions dso calls, bound when the first exchange
// needs them (stages/core/lazy_library.h) rather than by the dynamic loader
// at every start: libcurl brings 17 shared libraries of its own.
// Owned by stages/net; only http.cc uses it.
#ifndef DSO_STAGES_NET_INTERNAL_CURL_API_H_
#define DSO_STAGES_NET_INTERNAL_CURL_API_H_

#include <curl/curl.h>

#include "absl/status/statusor.h"

namespace dso {

struct CurlApi {
  // The names in parentheses: curl's headers define some as macros.
  decltype(&(curl_global_init)) global_init;
  decltype(&(curl_easy_init)) easy_init;
  decltype(&(curl_easy_setopt)) easy_setopt;
  decltype(&(curl_easy_perform)) easy_perform;
  decltype(&(curl_easy_getinfo)) easy_getinfo;
  decltype(&(curl_easy_cleanup)) easy_cleanup;
  decltype(&(curl_easy_strerror)) easy_strerror;
  decltype(&(curl_slist_append)) slist_append;
  decltype(&(curl_slist_free_all)) slist_free_all;
};

// libcurl, loaded and initialised (curl_global_init) once per process;
// an error names what is missing.
absl::StatusOr<const CurlApi*> Curl();

}  // namespace dso

#endif  // DSO_STAGES_NET_INTERNAL_CURL_API_H_
