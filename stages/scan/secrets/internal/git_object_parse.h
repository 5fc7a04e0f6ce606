// The bytes of git tree and commit objects, parsed as far as the history
// scan needs them. Input is untrusted (any repository); malformed objects
// are DataLoss errors saying what is wrong, and nothing reads past the end.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_OBJECT_PARSE_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_OBJECT_PARSE_H_

#include <git2.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// Exactly 40 hex digits (either case) as an id; false for anything else.
bool ParseGitHexId(absl::string_view hex, git_oid* id);

// One entry of a tree object; `name` points into the tree's bytes. Its kind
// follows the mode as in git: a directory, a submodule, or else a file
// (symlinks included).
struct GitTreeEntry {
  uint32_t mode = 0;
  absl::string_view name;
  git_oid id{};
  bool is_tree() const { return (mode & 0170000) == 0040000; }
  bool is_submodule() const { return (mode & 0170000) == 0160000; }
  bool is_file() const { return !is_tree() && !is_submodule(); }
};

// The entries of a tree object, one at a time, in their order; `data`
// must outlive the reader.
class GitTreeReader {
 public:
  explicit GitTreeReader(absl::string_view data) : data_(data) {}
  // The next entry into *e; false at the end, DataLoss when malformed.
  absl::StatusOr<bool> Next(GitTreeEntry* e);
  // Where the next entry begins.
  size_t offset() const { return at_; }

 private:
  absl::string_view data_;
  size_t at_ = 0;
  size_t count_ = 0;  // entries read, for messages
};

// What a commit object's header names.
struct GitCommitHeader {
  git_oid tree{};
  std::vector<git_oid> parents;
  // Seconds since the epoch on the committer line; 0 when it has none that
  // can be read (git orders such commits as the oldest).
  int64_t commit_time = 0;
};

// The tree, parents and commit time of a commit object ("tree <hex>"
// first, then "parent <hex>" lines, then author and committer).
absl::StatusOr<GitCommitHeader> ParseGitCommitHeader(absl::string_view data);

// The object an annotated tag object points at (its "object <hex>" line).
absl::StatusOr<git_oid> ParseGitTagTarget(absl::string_view data);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_OBJECT_PARSE_H_
