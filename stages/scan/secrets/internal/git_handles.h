// libgit2 objects owned by unique_ptrs, and the small helpers every libgit2
// caller in the secrets library needs (the last error, an id as hex).
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_HANDLES_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_HANDLES_H_

#include <git2.h>

#include <cstring>
#include <memory>
#include <string>

#include "stages/scan/secrets/internal/libgit2_api.h"

namespace dso {

// Frees with the bound libgit2 function `Free` (a member of Libgit2Api).
template <typename T, void (*Libgit2Api::*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { (Git2().*Free)(p); }
};
using GitRepo = std::unique_ptr<
    git_repository,
    GitDeleter<git_repository, &Libgit2Api::git_repository_free>>;
using GitCommit =
    std::unique_ptr<git_commit,
                    GitDeleter<git_commit, &Libgit2Api::git_commit_free>>;
using GitTree =
    std::unique_ptr<git_tree, GitDeleter<git_tree, &Libgit2Api::git_tree_free>>;
using GitDiff =
    std::unique_ptr<git_diff, GitDeleter<git_diff, &Libgit2Api::git_diff_free>>;
using GitRefIterator =
    std::unique_ptr<git_reference_iterator,
                    GitDeleter<git_reference_iterator,
                               &Libgit2Api::git_reference_iterator_free>>;
using GitObject =
    std::unique_ptr<git_object,
                    GitDeleter<git_object, &Libgit2Api::git_object_free>>;

// The message of libgit2's last error on this thread.
std::string GitError();

// An object id as 40 hex digits.
std::string OidHex(const git_oid& id);

// Ids compared without libgit2 (they are plain bytes).
inline bool OidEqual(const git_oid& a, const git_oid& b) {
  return memcmp(a.id, b.id, GIT_OID_RAWSZ) == 0;
}
inline bool OidIsZero(const git_oid& id) {
  static constexpr git_oid kZero{};
  return OidEqual(id, kZero);
}

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_HANDLES_H_
