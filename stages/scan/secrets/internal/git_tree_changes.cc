#include "stages/scan/secrets/internal/git_tree_changes.h"

#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "stages/scan/secrets/internal/added_lines.h"
#include "stages/scan/secrets/internal/git_handles.h"

namespace dso {
namespace {

// Deeper nesting than this is taken for a hostile repository.
constexpr int kMaxDepth = 512;

std::string Key(const git_oid& id) {
  return std::string(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
}

// git's order of tree entries: by name, a directory's name compared as if it
// ended in '/'.
int Compare(const GitTreeEntry& a, const GitTreeEntry& b) {
  size_t n = std::min(a.name.size(), b.name.size());
  if (int c = std::memcmp(a.name.data(), b.name.data(), n); c != 0) return c;
  unsigned char ca = a.name.size() > n ? a.name[n] : (a.is_tree() ? '/' : 0);
  unsigned char cb = b.name.size() > n ? b.name[n] : (b.is_tree() ? '/' : 0);
  return ca - cb;
}

using Tree = GitObjectRef;

// The bytes of a tree, empty for none (a root commit's parent).
absl::string_view BytesOf(const Tree& t) {
  return t ? absl::string_view(t->data) : absl::string_view();
}

// Where a tree is, for messages: "tree ID ('dir/sub')".
std::string TreeWhere(const git_oid& id, absl::string_view path) {
  return absl::StrCat("tree ", OidHex(id), path.empty() ? "" : " ('", path,
                      path.empty() ? "" : "')");
}

// The next entry of tree `id` at `path`; false at the end, DataLoss naming
// the tree when it is malformed.
absl::StatusOr<bool> NextEntry(GitTreeReader& r, GitTreeEntry* e,
                               const git_oid& id, absl::string_view path) {
  auto more = r.Next(e);
  if (!more.ok()) {
    return absl::DataLossError(absl::StrCat(
        TreeWhere(id, path), " is malformed: ", more.status().message()));
  }
  return *more;
}

// A tree's bytes and id; no bytes and no id for none (a root commit's
// parent, a directory one side lacks).
struct TreeSide {
  absl::string_view bytes;
  const git_oid* id = nullptr;
};

class Walker {
 public:
  explicit Walker(GitTreeCache& trees) : trees_(trees) {}

  absl::Status Diff(const TreeSide& old_tree, const TreeSide& new_tree,
                    const std::string& prefix, int depth);
  absl::StatusOr<Tree> Lookup(const git_oid& id, const std::string& path,
                              int depth);
  absl::StatusOr<TreeChanges> Finish();

 private:
  struct Subtree {
    std::string path;
    git_oid id;
  };

  absl::Status Changed(const GitTreeEntry& a, const GitTreeEntry& b,
                       const std::string& prefix, int depth);
  void New(const GitTreeEntry& e, const std::string& prefix);
  void Gone(const GitTreeEntry& e, const std::string& prefix);
  // Every file under a tree: added (as changes) or deleted.
  absl::Status Expand(const Subtree& t, bool added, int depth);

  GitTreeCache& trees_;
  std::vector<TreeChange> changes_;
  std::vector<Subtree> added_trees_, deleted_trees_;
  absl::flat_hash_map<std::string, int> deleted_blobs_;
};

absl::StatusOr<Tree> Walker::Lookup(const git_oid& id, const std::string& path,
                                    int depth) {
  if (depth > kMaxDepth) {
    return absl::DataLossError(absl::StrCat(
        TreeWhere(id, path), " is nested deeper than ", kMaxDepth));
  }
  auto tree = trees_.Get(id);
  if (!tree.ok()) {
    return absl::DataLossError(
        absl::StrCat(TreeWhere(id, path), " ", tree.status().message()));
  }
  return tree;
}

absl::Status Walker::Diff(const TreeSide& a, const TreeSide& b,
                          const std::string& prefix, int depth) {
  // Entries are read only where the trees differ: the bytes both begin
  // with and, once both sides are at entries the same distance from their
  // ends, the bytes both end with are the same entries (most commits
  // change one entry of a directory).
  const absl::string_view path = absl::StripSuffix(prefix, "/");
  const size_t same = CommonPrefixBytes(a.bytes, b.bytes);
  size_t skip = 0;
  for (GitTreeReader r(a.bytes); r.offset() < same;) {
    GitTreeEntry e;
    auto more = NextEntry(r, &e, *a.id, path);
    if (!more.ok()) return more.status();
    if (!*more || r.offset() > same) break;
    skip = r.offset();
  }
  const size_t tail = CommonSuffixBytes(
      a.bytes, b.bytes, std::min(a.bytes.size(), b.bytes.size()) - skip);
  GitTreeReader ra(a.bytes.substr(skip)), rb(b.bytes.substr(skip));
  const size_t na = a.bytes.size() - skip, nb = b.bytes.size() - skip;
  GitTreeEntry ea, eb;
  size_t at_a = 0, at_b = 0;  // where ea and eb begin
  auto has_a = a.id ? NextEntry(ra, &ea, *a.id, path) : false;
  if (!has_a.ok()) return has_a.status();
  auto has_b = b.id ? NextEntry(rb, &eb, *b.id, path) : false;
  if (!has_b.ok()) return has_b.status();
  while (*has_a || *has_b) {
    if (na - at_a == nb - at_b && na - at_a <= tail) break;  // the same rest
    int c = !*has_a ? 1 : !*has_b ? -1 : Compare(ea, eb);
    if (c <= 0) {
      if (c < 0) {
        Gone(ea, prefix);
      } else if (!OidEqual(ea.id, eb.id) || ea.mode != eb.mode) {
        if (auto s = Changed(ea, eb, prefix, depth); !s.ok()) return s;
      }
      at_a = ra.offset();
      has_a = NextEntry(ra, &ea, *a.id, path);
      if (!has_a.ok()) return has_a.status();
    }
    if (c >= 0) {
      if (c > 0) New(eb, prefix);
      at_b = rb.offset();
      has_b = NextEntry(rb, &eb, *b.id, path);
      if (!has_b.ok()) return has_b.status();
    }
  }
  return absl::OkStatus();
}

absl::Status Walker::Changed(const GitTreeEntry& a, const GitTreeEntry& b,
                             const std::string& prefix, int depth) {
  if (a.is_tree() != b.is_tree() || a.is_submodule() != b.is_submodule()) {
    Gone(a, prefix);  // e.g. a submodule where a file was
    New(b, prefix);
    return absl::OkStatus();
  }
  if (OidEqual(a.id, b.id)) return absl::OkStatus();  // mode only
  std::string path = absl::StrCat(prefix, b.name);
  if (b.is_file()) {
    changes_.push_back({std::move(path), a.id, b.id});
    return absl::OkStatus();
  }
  if (!b.is_tree()) return absl::OkStatus();
  auto old_sub = Lookup(a.id, path, depth + 1);
  if (!old_sub.ok()) return old_sub.status();
  auto new_sub = Lookup(b.id, path, depth + 1);
  if (!new_sub.ok()) return new_sub.status();
  return Diff({BytesOf(*old_sub), &a.id}, {BytesOf(*new_sub), &b.id},
              path + "/", depth + 1);
}

void Walker::New(const GitTreeEntry& e, const std::string& prefix) {
  std::string path = absl::StrCat(prefix, e.name);
  if (e.is_tree()) {
    added_trees_.push_back({std::move(path), e.id});
  } else if (e.is_file()) {
    changes_.push_back({std::move(path), git_oid{}, e.id});
  }
}

void Walker::Gone(const GitTreeEntry& e, const std::string& prefix) {
  if (e.is_tree()) {
    deleted_trees_.push_back({absl::StrCat(prefix, e.name), e.id});
  } else if (e.is_file()) {
    ++deleted_blobs_[Key(e.id)];
  }
}

absl::Status Walker::Expand(const Subtree& t, bool added, int depth) {
  auto tree = Lookup(t.id, t.path, depth);
  if (!tree.ok()) return tree.status();
  GitTreeReader r(BytesOf(*tree));
  GitTreeEntry e;
  while (true) {
    auto more = NextEntry(r, &e, t.id, t.path);
    if (!more.ok()) return more.status();
    if (!*more) break;
    std::string path = absl::StrCat(t.path, "/", e.name);
    if (e.is_tree()) {
      auto s = Expand({std::move(path), e.id}, added, depth + 1);
      if (!s.ok()) return s;
    } else if (!e.is_file()) {
      continue;
    } else if (added) {
      changes_.push_back({std::move(path), git_oid{}, e.id});
    } else {
      ++deleted_blobs_[Key(e.id)];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TreeChanges> Walker::Finish() {
  // A directory that moved whole: its id is on both sides.
  absl::flat_hash_map<std::string, int> gone_trees;
  for (const Subtree& t : deleted_trees_) ++gone_trees[Key(t.id)];
  for (const Subtree& t : added_trees_) {
    auto it = gone_trees.find(Key(t.id));
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
      int& left = gone_trees[Key(t.id)];
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
      auto it = deleted_blobs_.find(Key(c.new_id));
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

absl::StatusOr<GitObjectRef> GitTreeCache::Get(const git_oid& id) {
  std::string key(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
  if (auto it = trees_.find(key); it != trees_.end()) return it->second;
  auto bytes = reader_.Read(id);
  if (!bytes.ok()) {
    return absl::DataLossError(
        absl::StrCat("cannot be read: ", bytes.status().message()));
  }
  if ((*bytes)->type != GitType::kTree) {
    return absl::DataLossError("is not a tree");
  }
  if (order_.size() >= capacity_) {
    trees_.erase(order_.front());
    order_.pop_front();
  }
  trees_.emplace(key, *bytes);
  order_.push_back(std::move(key));
  return *std::move(bytes);
}

absl::StatusOr<TreeChanges> ListTreeChanges(GitTreeCache& trees,
                                            const git_oid* old_tree,
                                            const git_oid& new_tree) {
  Walker w(trees);
  Tree old_root;
  if (old_tree) {
    auto root = w.Lookup(*old_tree, "", 0);
    if (!root.ok()) return root.status();
    old_root = *std::move(root);
  }
  auto new_root = w.Lookup(new_tree, "", 0);
  if (!new_root.ok()) return new_root.status();
  if (auto s = w.Diff({BytesOf(old_root), old_tree},
                      {BytesOf(*new_root), &new_tree}, "", 0);
      !s.ok()) {
    return s;
  }
  return w.Finish();
}

}  // namespace dso
