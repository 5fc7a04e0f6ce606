// LazyLibrary: a shared library opened on its first use instead of at
// start, so that a process loads only what its command uses. dsoctl links
// every step; loading libcurl, libgit2 and libarchive with their own
// dependencies (Kerberos, LDAP, GnuTLS, ICU, ...: 40 of its 57 shared
// libraries) cost every command several milliseconds, also `--version`.
//
// Usage (one table of functions per library, see stages/net/internal/curl_api.h):
//   LazyLibrary& lib = ...;             // static, lives for the process
//   absl::Status s = lib.Bind("curl_easy_init", api.easy_init);
// The library's headers give the types (decltype(&curl_easy_init)), so a
// table cannot disagree with the declarations it was compiled against.
// Thread-safe; the library stays loaded for the life of the process.
#ifndef DSO_STAGES_CORE_LAZY_LIBRARY_H_
#define DSO_STAGES_CORE_LAZY_LIBRARY_H_

#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace dso {

class LazyLibrary {
 public:
  // `sonames`: tried in order ("libcurl.so.4", ...).
  explicit LazyLibrary(std::vector<std::string> sonames);
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // Opens the library on the first call; every later call gives the same
  // answer. The error names the library and what dlopen said.
  absl::Status Load();

  // Sets `fn` to the library's function `name` (loading it if needed).
  template <typename F>
  absl::Status Bind(const char* name, F*& fn) {
    void* address = nullptr;
    absl::Status s = Symbol(name, &address);
    if (s.ok()) fn = reinterpret_cast<F*>(address);
    return s;
  }

 private:
  absl::Status Symbol(const char* name, void** address);

  const std::vector<std::string> sonames_;
  std::once_flag once_;
  void* handle_ = nullptr;
  absl::Status load_status_;
};

}  // namespace dso

#endif  // DSO_STAGES_CORE_LAZY_LIBRARY_H_
