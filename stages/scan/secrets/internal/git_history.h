// The commits a history scan reads: every commit reachable from the
// starting commits (HEAD and the refs) and from none of the hidden ones
// (--since), each with its tree and its first parent's tree, newest first
// by commit time as `git log` lists them. Commit objects are read once,
// with GitObjectReader, so the scan's workers need not read them again.
//
// Walked as git walks a range: one queue ordered by commit time, hidden
// commits pass their mark to their parents, and the walk ends when only
// hidden commits are left queued; commits found hidden later are dropped
// from the list. Commits the repository's `shallow` file names have no
// parents (as in git: the history ends there). Annotated tags are peeled;
// refs to trees and blobs are left out. A commit that cannot be read is
// named in a warning and counted, and the walk goes on.
//
// Owned by the caller; the reader is used from the calling thread only.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_HISTORY_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_HISTORY_H_

#include <git2.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "stages/scan/secrets/internal/git_objects.h"

namespace dso {

// git_oid as a key of Abseil's hash containers.
struct OidHash {
  size_t operator()(const git_oid& id) const {
    return absl::HashOf(
        absl::string_view(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ));
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const;
};
using OidSet = absl::flat_hash_set<git_oid, OidHash, OidEq>;

struct GitHistoryCommit {
  git_oid id{};
  git_oid tree{};
  git_oid parent_tree{};  // the first parent's tree (parents == 1)
  uint32_t parents = 0;   // as the shallow file leaves them
  // The parent could not be read (named in GitHistory::warnings).
  bool parent_unreadable = false;
};

// What the walk found besides the commits it handed on.
struct GitHistory {
  std::vector<std::string> warnings;
  uint64_t unreadable = 0;  // commits that could not be read
};

struct GitHistoryRoots {
  std::vector<git_oid> starts;  // commits or annotated tags
  std::vector<git_oid> hide;    // left out with all their ancestors
  OidSet shallow;               // commits whose parents are not there
};

// Walks the history, each commit to scan handed to `emit`, newest first:
// as soon as it is walked, so that scanning can start while the walk goes
// on, or, with hidden commits (which may hide a commit walked earlier),
// once the walk has ended. `max_commits` bounds what is read and kept
// (about 170 bytes a commit: a hostile repository's history is as long as
// its packs can hold; the largest public ones have under 2 million); past
// it the walk stops with a warning.
GitHistory WalkGitHistory(
    GitObjectReader& reader, const GitHistoryRoots& roots,
    const std::function<void(const GitHistoryCommit&)>& emit,
    size_t max_commits = 10'000'000);

// The ids the `shallow` file in `text` lists, one in hex per line; lines
// that are not ids are skipped.
OidSet ParseShallowFile(absl::string_view text);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_HISTORY_H_
