#include "stages/scan/secrets/git_tree_changes.h"

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/secrets/git_handles.h"

namespace dso {
namespace {

// Deeper nesting than this is taken for a hostile repository.
constexpr int kMaxDepth = 512;

std::string Key(const git_oid* id) {
  return std::string(reinterpret_cast<const char*>(id->id), GIT_OID_RAWSZ);
}

bool IsTree(const git_tree_entry* e) {
  return git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

// git's order of tree entries: by name, a directory's name compared as if it
// ended in '/'.
int Compare(const git_tree_entry* a, const git_tree_entry* b) {
  const char* na = git_tree_entry_name(a);
  const char* nb = git_tree_entry_name(b);
  size_t la = std::strlen(na), lb = std::strlen(nb);
  size_t n = std::min(la, lb);
  if (int c = std::memcmp(na, nb, n); c != 0) return c;
  unsigned char ca = la > n ? na[n] : (IsTree(a) ? '/' : 0);
  unsigned char cb = lb > n ? nb[n] : (IsTree(b) ? '/' : 0);
  return ca - cb;
}

class Walker {
 public:
  explicit Walker(git_repository* repo) : repo_(repo) {}

  absl::Status Diff(const git_tree* old_tree, const git_tree* new_tree,
                    const std::string& prefix, int depth);
  absl::StatusOr<TreeChanges> Finish();

 private:
  struct Subtree {
    std::string path;
    git_oid id;
  };

  absl::StatusOr<GitTree> Lookup(const git_oid* id, const std::string& path,
                                 int depth);
  absl::Status Changed(const git_tree_entry* a, const git_tree_entry* b,
                       const std::string& prefix, int depth);
  void New(const git_tree_entry* e, const std::string& prefix);
  void Gone(const git_tree_entry* e, const std::string& prefix);
  // Every blob under a tree: added (as changes) or deleted.
  absl::Status Expand(const Subtree& t, bool added, int depth);

  git_repository* repo_;
  std::vector<TreeChange> changes_;
  std::vector<Subtree> added_trees_, deleted_trees_;
  absl::flat_hash_map<std::string, int> deleted_blobs_;
};

absl::StatusOr<GitTree> Walker::Lookup(const git_oid* id,
                                       const std::string& path, int depth) {
  if (depth > kMaxDepth) {
    return absl::DataLossError(
        absl::StrCat("tree '", path, "' is nested deeper than ", kMaxDepth));
  }
  git_tree* t = nullptr;
  if (git_tree_lookup(&t, repo_, id) != 0) {
    return absl::DataLossError(absl::StrCat("tree ", OidHex(*id), " ('", path,
                                            "') cannot be read: ", GitError()));
  }
  return GitTree(t);
}

absl::Status Walker::Diff(const git_tree* a, const git_tree* b,
                          const std::string& prefix, int depth) {
  size_t na = a ? git_tree_entrycount(a) : 0;
  size_t nb = b ? git_tree_entrycount(b) : 0;
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    const git_tree_entry* ea = i < na ? git_tree_entry_byindex(a, i) : nullptr;
    const git_tree_entry* eb = j < nb ? git_tree_entry_byindex(b, j) : nullptr;
    int c = !ea ? 1 : !eb ? -1 : Compare(ea, eb);
    if (c < 0) {
      Gone(ea, prefix);
      ++i;
    } else if (c > 0) {
      New(eb, prefix);
      ++j;
    } else {
      if (!git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb))) {
        if (auto s = Changed(ea, eb, prefix, depth); !s.ok()) return s;
      }
      ++i;
      ++j;
    }
  }
  return absl::OkStatus();
}

absl::Status Walker::Changed(const git_tree_entry* a, const git_tree_entry* b,
                             const std::string& prefix, int depth) {
  git_object_t ta = git_tree_entry_type(a), tb = git_tree_entry_type(b);
  if (ta != tb) {  // e.g. a submodule where a file was
    Gone(a, prefix);
    New(b, prefix);
    return absl::OkStatus();
  }
  std::string path = prefix + git_tree_entry_name(b);
  if (tb == GIT_OBJECT_BLOB) {
    changes_.push_back(
        {std::move(path), *git_tree_entry_id(a), *git_tree_entry_id(b)});
    return absl::OkStatus();
  }
  if (tb != GIT_OBJECT_TREE) return absl::OkStatus();
  auto old_sub = Lookup(git_tree_entry_id(a), path, depth + 1);
  if (!old_sub.ok()) return old_sub.status();
  auto new_sub = Lookup(git_tree_entry_id(b), path, depth + 1);
  if (!new_sub.ok()) return new_sub.status();
  return Diff(old_sub->get(), new_sub->get(), path + "/", depth + 1);
}

void Walker::New(const git_tree_entry* e, const std::string& prefix) {
  std::string path = prefix + git_tree_entry_name(e);
  if (IsTree(e)) {
    added_trees_.push_back({std::move(path), *git_tree_entry_id(e)});
  } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
    changes_.push_back({std::move(path), git_oid{}, *git_tree_entry_id(e)});
  }
}

void Walker::Gone(const git_tree_entry* e, const std::string& prefix) {
  if (IsTree(e)) {
    deleted_trees_.push_back(
        {prefix + git_tree_entry_name(e), *git_tree_entry_id(e)});
  } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
    ++deleted_blobs_[Key(git_tree_entry_id(e))];
  }
}

absl::Status Walker::Expand(const Subtree& t, bool added, int depth) {
  auto tree = Lookup(&t.id, t.path, depth);
  if (!tree.ok()) return tree.status();
  for (size_t i = 0, n = git_tree_entrycount(tree->get()); i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree->get(), i);
    std::string path = absl::StrCat(t.path, "/", git_tree_entry_name(e));
    if (IsTree(e)) {
      auto s =
          Expand({std::move(path), *git_tree_entry_id(e)}, added, depth + 1);
      if (!s.ok()) return s;
    } else if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
      continue;
    } else if (added) {
      changes_.push_back({std::move(path), git_oid{}, *git_tree_entry_id(e)});
    } else {
      ++deleted_blobs_[Key(git_tree_entry_id(e))];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TreeChanges> Walker::Finish() {
  // A directory that moved whole: its id is on both sides.
  absl::flat_hash_map<std::string, int> gone_trees;
  for (const Subtree& t : deleted_trees_) ++gone_trees[Key(&t.id)];
  for (const Subtree& t : added_trees_) {
    auto it = gone_trees.find(Key(&t.id));
    if (it != gone_trees.end() && it->second > 0) {
      --it->second;
      continue;
    }
    if (auto s = Expand(t, /*added=*/true, 1); !s.ok()) return s;
  }
  bool any_added = false;
  for (const TreeChange& c : changes_) any_added |= c.added();
  if (any_added) {  // deleted files only matter as rename sources
    for (const Subtree& t : deleted_trees_) {
      int& left = gone_trees[Key(&t.id)];
      if (left > 0) {
        --left;
        if (auto s = Expand(t, /*added=*/false, 1); !s.ok()) return s;
      }
    }
  }
  TreeChanges out;
  bool unpaired_added = false;
  for (TreeChange& c : changes_) {
    if (c.added()) {
      auto it = deleted_blobs_.find(Key(&c.new_id));
      if (it != deleted_blobs_.end() && it->second > 0) {
        --it->second;  // an exact rename
        continue;
      }
      unpaired_added = true;
    }
    out.changes.push_back(std::move(c));
  }
  bool unpaired_deleted = false;
  for (const auto& [id, left] : deleted_blobs_) unpaired_deleted |= left > 0;
  out.unpaired_deletions_and_additions = unpaired_added && unpaired_deleted;
  return out;
}

}  // namespace

absl::StatusOr<TreeChanges> ListTreeChanges(git_repository* repo,
                                            const git_tree* old_tree,
                                            const git_tree* new_tree) {
  Walker w(repo);
  if (auto s = w.Diff(old_tree, new_tree, "", 0); !s.ok()) return s;
  return w.Finish();
}

}  // namespace dso
