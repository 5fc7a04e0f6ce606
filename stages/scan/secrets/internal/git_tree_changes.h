// What one commit changed, found by walking its tree against its parent's:
// the files it added or modified. Subtrees with equal ids are skipped without
// being read, so the cost follows the size of the change, not of the tree
// (libgit2's tree-to-tree diff names and compares every entry of every
// directory it enters). Exact renames (a deleted file or directory whose id
// reappears elsewhere) add nothing, as with git's rename detection; where
// files were both deleted and added otherwise, the caller decides whether
// similarity-based rename detection is needed.
//
// Trees are read with GitObjectReader (a malformed tree is a DataLoss error
// naming it); submodules are left out, symlinks count as files (as in git).
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_TREE_CHANGES_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_TREE_CHANGES_H_

#include <git2.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "stages/scan/secrets/internal/git_handles.h"
#include "stages/scan/secrets/internal/git_object_parse.h"
#include "stages/scan/secrets/internal/git_objects.h"

namespace dso {

struct TreeChange {
  std::string path;  // in the new tree
  git_oid old_id{};  // all zero when the file is new
  git_oid new_id{};
  bool added() const { return OidIsZero(old_id); }
};

struct TreeChanges {
  std::vector<TreeChange> changes;  // blobs only; submodules are left out
  // Some files were deleted and others added that no exact rename pairs:
  // git's similarity-based rename detection could pair them.
  bool unpaired_deletions_and_additions = false;
};

// Trees read lately, by id, for one thread: a commit's parent trees are
// mostly the trees of the commit its worker read just before. Trees are
// walked in place; an entry is checked when it is read (an error names the
// tree), and the entries two trees share are not read at all.
class GitTreeCache {
 public:
  explicit GitTreeCache(GitObjectReader& reader, size_t capacity = 1024)
      : reader_(reader), capacity_(capacity) {}
  // The bytes of tree `id`; DataLoss when it is missing or not a tree.
  absl::StatusOr<GitObjectRef> Get(const git_oid& id);

 private:
  GitObjectReader& reader_;
  size_t capacity_;
  absl::flat_hash_map<std::string, GitObjectRef> trees_;
  std::deque<std::string> order_;  // oldest first
};

// `old_tree` is null for a root commit. Errors name the unreadable tree.
absl::StatusOr<TreeChanges> ListTreeChanges(GitTreeCache& trees,
                                            const git_oid* old_tree,
                                            const git_oid& new_tree);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_TREE_CHANGES_H_
