#include "stages/scan/secrets/internal/git_handles.h"

namespace dso {

std::string GitError() {
  const git_error* e = Git2().git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string OidHex(const git_oid& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(GIT_OID_HEXSZ, '0');
  for (size_t i = 0; i < GIT_OID_RAWSZ; ++i) {
    hex[2 * i] = kDigits[id.id[i] >> 4];
    hex[2 * i + 1] = kDigits[id.id[i] & 15];
  }
  return hex;
}

}  // namespace dso
