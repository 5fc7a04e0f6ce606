// What one commit changed, found by walking its tree against its parent's:
// the files it added or modified. Subtrees with equal ids are skipped without
// being read, so the cost follows the size of the change, not of the tree
// (libgit2's tree-to-tree diff names and compares every entry of every
// directory it enters). Exact renames (a deleted file or directory whose id
// reappears elsewhere) add nothing, as with git's rename detection; where
// files were both deleted and added otherwise, the caller decides whether
// similarity-based rename detection is needed.
#ifndef DSO_STAGES_SCAN_SECRETS_GIT_TREE_CHANGES_H_
#define DSO_STAGES_SCAN_SECRETS_GIT_TREE_CHANGES_H_

#include <git2.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dso {

struct TreeChange {
  std::string path;  // in the new tree
  git_oid old_id{};  // all zero when the file is new
  git_oid new_id{};
  bool added() const { return git_oid_is_zero(&old_id) != 0; }
};

struct TreeChanges {
  std::vector<TreeChange> changes;  // blobs only; submodules are left out
  // Some files were deleted and others added that no exact rename pairs:
  // git's similarity-based rename detection could pair them.
  bool unpaired_deletions_and_additions = false;
};

// `old_tree` is null for a root commit. The trees are borrowed; `repo` must
// be the repository they were read from. Errors name the unreadable tree.
absl::StatusOr<TreeChanges> ListTreeChanges(git_repository* repo,
                                            const git_tree* old_tree,
                                            const git_tree* new_tree);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_GIT_TREE_CHANGES_H_
