// libgit2 objects owned by unique_ptrs, and the small helpers every libgit2
// caller in the secrets library needs (the last error, an id as hex).
#ifndef DSO_STAGES_SCAN_SECRETS_GIT_HANDLES_H_
#define DSO_STAGES_SCAN_SECRETS_GIT_HANDLES_H_

#include <git2.h>

#include <memory>
#include <string>

namespace dso {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
using GitRepo =
    std::unique_ptr<git_repository,
                    GitDeleter<git_repository, git_repository_free>>;
using GitCommit =
    std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using GitTree = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using GitDiff = std::unique_ptr<git_diff, GitDeleter<git_diff, git_diff_free>>;
using GitWalk =
    std::unique_ptr<git_revwalk, GitDeleter<git_revwalk, git_revwalk_free>>;
using GitObject =
    std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;

// The message of libgit2's last error on this thread.
std::string GitError();

// An object id as 40 hex digits.
std::string OidHex(const git_oid& id);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_GIT_HANDLES_H_
