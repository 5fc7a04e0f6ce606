#include "stages/scan/secrets/internal/git_history.h"

#include <cstring>
#include <queue>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "stages/scan/secrets/internal/git_handles.h"
#include "stages/scan/secrets/internal/git_object_parse.h"

namespace dso {

bool OidEq::operator()(const git_oid& a, const git_oid& b) const {
  return OidEqual(a, b);
}

namespace {

// Tags pointing at tags are followed this far.
constexpr int kMaxTagDepth = 16;

struct Node {
  git_oid tree{};
  absl::InlinedVector<git_oid, 1> parents;
  int64_t time = 0;
  bool hidden = false;
  bool queued = false;
};

class Walk {
 public:
  Walk(GitObjectReader& reader, const GitHistoryRoots& roots, size_t max,
       const std::function<void(const GitHistoryCommit&)>& emit)
      : reader_(reader), roots_(roots), max_(max), emit_(emit) {}

  GitHistory Run() {
    for (const git_oid& id : roots_.hide) Push(id, /*hidden=*/true, true);
    for (const git_oid& id : roots_.starts) Push(id, /*hidden=*/false, true);
    while (!queue_.empty() && interesting_queued_ > 0) {
      if (nodes_.size() > max_) {
        out_.warnings.push_back(
            absl::StrCat("the history holds more than ", max_,
                         " commits; the older ones were not scanned"));
        break;
      }
      Entry top = queue_.top();
      queue_.pop();
      Node& n = nodes_.at(top.id);
      n.queued = false;
      if (!n.hidden) --interesting_queued_;
      // Copied: pushing may grow the map and move `n`.
      const bool hidden = n.hidden;
      const auto parents = n.parents;
      for (const git_oid& p : parents) Push(p, hidden, false);
      if (hidden) continue;
      if (roots_.hide.empty()) {
        Emit(top.id);  // nothing can hide it later
      } else {
        order_.push_back(top.id);
      }
    }
    // Listed before a hidden commit reached them: dropped.
    for (const git_oid& id : order_) {
      if (!nodes_.at(id).hidden) Emit(id);
    }
    return std::move(out_);
  }

 private:
  struct Entry {
    int64_t time;
    uint64_t seq;  // first queued first among equal times
    git_oid id;
    bool operator<(const Entry& o) const {
      return std::tie(time, o.seq) < std::tie(o.time, seq);
    }
  };

  struct Commit {
    git_oid id;
    GitCommitHeader header;
  };

  // The commit `id` names. A start's annotated tags are peeled and a start
  // naming a tree or blob gives nothing (git leaves them out of a walk);
  // anything else not a commit is an error.
  absl::StatusOr<std::optional<Commit>> ReadCommit(git_oid id, bool start) {
    for (int depth = 0; depth <= kMaxTagDepth; ++depth) {
      auto raw = reader_.Read(id);
      if (!raw.ok()) {
        return absl::DataLossError(
            absl::StrCat(" cannot be read: ", raw.status().message()));
      }
      const GitType type = (*raw)->type;
      if (type == GitType::kCommit) {
        auto header = ParseGitCommitHeader((*raw)->data);
        if (!header.ok()) {
          return absl::DataLossError(
              absl::StrCat(": ", header.status().message()));
        }
        return Commit{id, *std::move(header)};
      }
      if (!start) return absl::DataLossError(" is not a commit");
      if (type != GitType::kTag) return std::nullopt;
      auto target = ParseGitTagTarget((*raw)->data);
      if (!target.ok()) {
        return absl::DataLossError(
            absl::StrCat(": ", target.status().message()));
      }
      id = *target;
    }
    return absl::DataLossError(": a chain of tags too long to follow");
  }

  // Whether `id` was pushed already (read or failed); hides it when asked.
  bool Known(const git_oid& id, bool hidden) {
    if (nodes_.contains(id)) {
      if (hidden) Hide(id);
      return true;
    }
    return failed_.contains(id);
  }

  void Failed(const git_oid& id, bool hidden, const absl::Status& s) {
    failed_.emplace(id, std::string(s.message()));
    if (!hidden) {
      ++out_.unreadable;
      out_.warnings.push_back(absl::StrCat("commit ", OidHex(id), s.message()));
    }
  }

  void Push(const git_oid& given, bool hidden, bool start) {
    if (!start && Known(given, hidden)) return;
    auto commit = ReadCommit(given, start);
    if (!commit.ok()) return Failed(given, hidden, commit.status());
    if (!commit->has_value()) return;  // a start naming a tree or blob
    const git_oid& id = (*commit)->id;
    if (start && Known(id, hidden)) return;  // a tag of a known commit
    const GitCommitHeader& header = (*commit)->header;
    Node n;
    n.tree = header.tree;
    n.time = header.commit_time;
    if (!roots_.shallow.contains(id)) {
      n.parents.assign(header.parents.begin(), header.parents.end());
    }
    n.hidden = hidden;
    n.queued = true;
    if (!hidden) ++interesting_queued_;
    queue_.push({n.time, seq_++, id});
    nodes_.emplace(id, std::move(n));
  }

  // Marks `id` and every known ancestor hidden.
  void Hide(const git_oid& id) {
    std::vector<git_oid> todo{id};
    while (!todo.empty()) {
      git_oid at = todo.back();
      todo.pop_back();
      auto it = nodes_.find(at);
      if (it == nodes_.end() || it->second.hidden) continue;
      Node& n = it->second;
      n.hidden = true;
      if (n.queued) --interesting_queued_;
      todo.insert(todo.end(), n.parents.begin(), n.parents.end());
    }
  }

  // Hands on commit `id`, whose parents have been pushed.
  void Emit(const git_oid& id) {
    const Node& n = nodes_.at(id);
    GitHistoryCommit c;
    c.id = id;
    c.tree = n.tree;
    c.parents = static_cast<uint32_t>(n.parents.size());
    if (c.parents == 1) {
      if (auto p = nodes_.find(n.parents[0]); p != nodes_.end()) {
        c.parent_tree = p->second.tree;
      } else {
        c.parent_unreadable = true;
        auto f = failed_.find(n.parents[0]);
        out_.warnings.push_back(
            absl::StrCat("commit ", OidHex(id), ": its parent",
                         f != failed_.end() ? f->second : " was not read"));
      }
    }
    emit_(c);
  }

  GitObjectReader& reader_;
  const GitHistoryRoots& roots_;
  const size_t max_;
  const std::function<void(const GitHistoryCommit&)>& emit_;
  absl::flat_hash_map<git_oid, Node, OidHash, OidEq> nodes_;
  absl::flat_hash_map<git_oid, std::string, OidHash, OidEq> failed_;
  std::priority_queue<Entry> queue_;
  uint64_t seq_ = 0;
  int64_t interesting_queued_ = 0;
  std::vector<git_oid> order_;
  GitHistory out_;
};

}  // namespace

GitHistory WalkGitHistory(
    GitObjectReader& reader, const GitHistoryRoots& roots,
    const std::function<void(const GitHistoryCommit&)>& emit,
    size_t max_commits) {
  return Walk(reader, roots, max_commits, emit).Run();
}

OidSet ParseShallowFile(absl::string_view text) {
  OidSet out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    git_oid id;
    if (ParseGitHexId(absl::StripAsciiWhitespace(line), &id)) out.insert(id);
  }
  return out;
}

}  // namespace dso
