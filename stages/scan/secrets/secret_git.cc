// SecretScanner::ScanGitHistory: the added lines of every commit. The
// calling thread walks the commits (WalkGitHistory, git_history.h; libgit2
// lists the refs) and hands them in runs to worker threads, each with its
// own repository handle, reader and tree cache (none is shared between
// threads). Objects are read by GitObjectReader (git_objects.h), trees
// compared by ListTreeChanges and files by AddedLines.
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/secrets/internal/added_lines.h"
#include "stages/scan/secrets/internal/git_handles.h"
#include "stages/scan/secrets/internal/git_history.h"
#include "stages/scan/secrets/internal/git_object_parse.h"
#include "stages/scan/secrets/internal/git_objects.h"
#include "stages/scan/secrets/internal/git_tree_changes.h"
#include "stages/scan/secrets/internal/secret_worker.h"
#include "stages/scan/secrets/secret_filter.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {
namespace {

// Commits a worker takes at a time.
constexpr size_t kCommitRun = 64;
// Each worker's cache of objects (the bases of the deltas it reads next)
// and of parsed trees (a commit's parent's trees are mostly the trees of
// the commit its worker read just before). Sizes measured on a history of
// small edits (tests/bench/history.sh): 8 MiB reads chains again (1.7x
// slower), 32 MiB and 1,024 trees only take more memory (120 vs 76 MiB).
constexpr size_t kObjectCacheBytes = 16 << 20;
constexpr size_t kTreeCacheEntries = 256;
// The walk reads each commit object once: it keeps none.
constexpr size_t kWalkCacheBytes = 0;
// The largest `shallow` file read (41 bytes a commit).
constexpr uint64_t kMaxShallowFileBytes = 64 << 20;

// Commits handed from the walk to the workers, kCommitRun at a time.
class CommitRuns {
 public:
  // From the walk's thread.
  void Add(const GitHistoryCommit& c) {
    filling_.push_back(c);
    if (filling_.size() == kCommitRun) Publish();
  }
  // The walk has ended.
  void Close() {
    Publish();
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    ready_.notify_all();
  }
  // Ends the scan early (cancelled): runs not taken yet are dropped.
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    ready_.notify_all();
  }
  // The next run into *run; false once the walk has ended and every run
  // was taken.
  bool Take(std::vector<GitHistoryCommit>* run) {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock,
                [&] { return cancelled_ || closed_ || !published_.empty(); });
    if (cancelled_ || published_.empty()) return false;
    *run = std::move(published_.front());
    published_.pop_front();
    return true;
  }

 private:
  void Publish() {
    if (filling_.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    published_.push_back(std::move(filling_));
    filling_.clear();
    filling_.reserve(kCommitRun);
    ready_.notify_one();
  }

  std::vector<GitHistoryCommit> filling_;  // the walk's thread only
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::vector<GitHistoryCommit>> published_;
  bool closed_ = false, cancelled_ = false;
};

// Where the walk starts (HEAD and every ref), what it leaves out (--since
// and its ancestors) and where a shallow clone's history ends.
absl::StatusOr<GitHistoryRoots> HistoryRoots(git_repository* repo,
                                             const std::string& path,
                                             const std::string& since) {
  GitHistoryRoots roots;
  git_oid id;
  // An unborn HEAD adds nothing.
  if (Git2().git_reference_name_to_id(&id, repo, "HEAD") == 0) {
    roots.starts.push_back(id);
  }
  git_reference_iterator* it = nullptr;
  if (Git2().git_reference_iterator_glob_new(&it, repo, "refs/*") != 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": cannot list its refs: ", GitError()));
  }
  GitRefIterator refs(it);
  const char* name = nullptr;
  while (Git2().git_reference_next_name(&name, it) == 0) {
    // A dangling symbolic ref adds nothing.
    if (Git2().git_reference_name_to_id(&id, repo, name) == 0) {
      roots.starts.push_back(id);
    }
  }
  if (!since.empty()) {
    git_object* o = nullptr;
    if (Git2().git_revparse_single(&o, repo, since.c_str()) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("--since '", since,
                                                     "' is not a revision of ",
                                                     path, ": ", GitError()));
    }
    GitObject obj(o);
    git_object* c = nullptr;
    if (Git2().git_object_peel(&c, o, GIT_OBJECT_COMMIT) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--since '", since, "' names no commit"));
    }
    GitObject commit(c);
    roots.hide.push_back(*Git2().git_object_id(c));
  }
  if (const char* common = Git2().git_repository_commondir(repo)) {
    std::string root(absl::StripSuffix(common, "/"));
    if (auto fd = OpenRegularBeneath(root, "shallow"); fd.ok()) {
      auto text = ReadBounded(*fd, "shallow", kMaxShallowFileBytes);
      close(*fd);
      if (!text.ok()) return text.status();
      roots.shallow = ParseShallowFile(*text);
    }
  }
  return roots;
}

// The commit's author, date and message as findings carry them.
SecretFinding CommitInfo(git_repository* repo, const git_oid& oid) {
  SecretFinding f;
  f.commit = OidHex(oid);
  git_commit* c = nullptr;
  if (Git2().git_commit_lookup(&c, repo, &oid) != 0) return f;
  GitCommit commit(c);
  if (const git_signature* a = Git2().git_commit_author(c)) {
    f.author = a->name ? a->name : "";
    f.email = a->email ? a->email : "";
    f.date = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                              absl::FromUnixSeconds(a->when.time),
                              absl::UTCTimeZone());
  }
  const char* msg = Git2().git_commit_message(c);
  f.message = std::string(absl::StripTrailingAsciiWhitespace(msg ? msg : ""));
  return f;
}

// The text of file `path`'s blob `id`.
absl::StatusOr<GitObjectRef> ReadBlob(GitObjectReader& reader,
                                      const git_oid& id,
                                      const std::string& path) {
  auto blob = reader.Read(id);
  if (!blob.ok()) {
    return absl::DataLossError(absl::StrCat("cannot read a blob of '", path,
                                            "': ", blob.status().message()));
  }
  if ((*blob)->type != GitType::kBlob) {
    return absl::DataLossError(
        absl::StrCat("'", path, "' names ", OidHex(id), ", not a blob"));
  }
  return blob;
}

// What one change added: all of a new file, the added lines of a modified
// one. A binary new version is skipped (git shows none of it); a text that
// replaced a binary file is scanned whole.
absl::Status ScanChange(GitObjectReader& reader, const TreeChange& c,
                        const SecretFinding& commit, SecretScanner::Worker& w) {
  auto blob = ReadBlob(reader, c.new_id, c.path);
  if (!blob.ok()) return blob.status();
  absl::string_view text = (*blob)->data;
  if (IsBinaryHead(text)) return absl::OkStatus();
  GitObjectRef old_blob;
  absl::string_view old_text;
  if (!c.added()) {
    auto old = ReadBlob(reader, c.old_id, c.path);
    if (!old.ok()) return old.status();
    old_blob = *std::move(old);
    if (!IsBinaryHead(old_blob->data)) old_text = old_blob->data;
  }
  for (const AddedRun& run : AddedLines(old_text, text)) {
    absl::string_view added = text.substr(run.begin, run.end - run.begin);
    w.ScanBuffer(added, c.path, run.first_line, 0, added.size(), &commit);
    w.result().stats.bytes += added.size();
  }
  return absl::OkStatus();
}

// The changes libgit2's similarity-based rename detection pairs, for commits
// that both delete and add files (a moved file that was also edited adds
// only its edits, as in `git log -p`). Only the pairing is libgit2's: the
// lines are compared by ScanChange, as for every other commit.
absl::StatusOr<std::vector<TreeChange>> PairRenames(git_repository* repo,
                                                    const git_oid* old_id,
                                                    const git_oid& new_id) {
  git_tree *o = nullptr, *n = nullptr;
  if ((old_id && Git2().git_tree_lookup(&o, repo, old_id) != 0) ||
      Git2().git_tree_lookup(&n, repo, &new_id) != 0) {
    Git2().git_tree_free(o);
    return absl::DataLossError(
        absl::StrCat("cannot read a tree: ", GitError()));
  }
  GitTree old_tree(o), new_tree(n);
  git_diff* diff = nullptr;
  if (Git2().git_diff_tree_to_tree(&diff, repo, o, n, nullptr) != 0) {
    return absl::DataLossError(absl::StrCat("cannot diff: ", GitError()));
  }
  GitDiff diff_handle(diff);
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES;
  if (Git2().git_diff_find_similar(diff, &find) != 0) {
    return absl::DataLossError(
        absl::StrCat("cannot pair renamed files: ", GitError()));
  }
  std::vector<TreeChange> out;
  for (size_t i = 0, n = Git2().git_diff_num_deltas(diff); i < n; ++i) {
    const git_diff_delta* d = Git2().git_diff_get_delta(diff, i);
    if (d->new_file.mode != GIT_FILEMODE_BLOB &&
        d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
      continue;  // deleted, a submodule or a symlink
    }
    TreeChange c{d->new_file.path ? d->new_file.path : "", {}, d->new_file.id};
    if (d->status != GIT_DELTA_ADDED &&
        (d->old_file.mode == GIT_FILEMODE_BLOB ||
         d->old_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE)) {
      c.old_id = d->old_file.id;
    }
    if (!OidEqual(c.old_id, c.new_id)) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

void SecretScanner::ScanCommit(git_repository* repo, GitObjectReader& reader,
                               GitTreeCache& trees,
                               const GitHistoryCommit& commit, Worker& w) {
  // A commit that cannot be read is counted and named, and the scan goes on.
  auto unreadable = [&](absl::string_view what) {
    ++w.result().stats.unreadable;
    AddWarning(&w.result(), absl::StrCat("commit ", OidHex(commit.id), what));
  };
  ++w.result().stats.commits;
  if (commit.parents > 1) return;  // merges add nothing
  if (commit.parent_unreadable) {  // named by the walk
    ++w.result().stats.unreadable;
    return;
  }
  SecretFinding info;
  info.commit = OidHex(commit.id);
  const SecretRuleSet& rules = matcher_.rules();
  if (ExcludesCommit(rules.allowlists, info.commit)) return;
  const git_oid* old_tree = commit.parents ? &commit.parent_tree : nullptr;
  const git_oid& new_tree = commit.tree;
  auto changes = ListTreeChanges(trees, old_tree, new_tree);
  if (!changes.ok()) {
    return unreadable(absl::StrCat(": ", changes.status().message()));
  }
  if (changes->unpaired_deletions_and_additions) {
    auto paired = PairRenames(repo, old_tree, new_tree);
    if (!paired.ok()) {
      return unreadable(absl::StrCat(": ", paired.status().message()));
    }
    changes->changes = *std::move(paired);
  }
  const size_t before = w.result().findings.size();
  for (const TreeChange& change : changes->changes) {
    if (ExcludesFile(rules.allowlists, change.path, info.commit)) continue;
    if (auto s = ScanChange(reader, change, info, w); !s.ok()) {
      unreadable(absl::StrCat(": ", s.message()));
    }
  }
  // Author, date and message only for the commits that have findings.
  std::vector<SecretFinding>& found = w.result().findings;
  if (found.size() > before) {
    SecretFinding full = CommitInfo(repo, commit.id);
    for (size_t i = before; i < found.size(); ++i) {
      found[i].author = full.author;
      found[i].email = full.email;
      found[i].date = full.date;
      found[i].message = full.message;
    }
  }
}

absl::StatusOr<SecretScanResult> SecretScanner::ScanGitHistory(
    const std::string& path, const std::string& since) {
  if (absl::Status s = LoadLibgit2(); !s.ok()) return s;
  git_repository* r = nullptr;
  if (Git2().git_repository_open_ext(&r, path.c_str(), 0, nullptr) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a git repository: ", GitError()));
  }
  GitRepo repo(r);
  auto roots = HistoryRoots(r, path, since);
  if (!roots.ok()) return roots.status();
  const GitPacks packs = OpenGitPacks(r);
  // The workers scan runs of neighbouring commits, whose objects are made
  // from one another (a reader's cache then holds the bases it needs next),
  // while this thread walks the history.
  CommitRuns runs;
  WorkerGroup group(*this, WorkerCount(), [&](Worker& w) {
    std::vector<GitHistoryCommit> run;
    if (!runs.Take(&run)) return;  // no commits for this worker
    git_repository* own = nullptr;
    if (Git2().git_repository_open_ext(&own, path.c_str(), 0, nullptr) != 0) {
      // The other workers take the runs left; this one's are not scanned.
      AddWarning(&w.result(), absl::StrCat(path, ": ", GitError()));
      w.result().stats.unreadable += run.size();
      return;
    }
    GitRepo repo_handle(own);
    GitObjectReader reader(packs, own, kObjectCacheBytes);
    GitTreeCache trees(reader, kTreeCacheEntries);
    do {
      for (const GitHistoryCommit& commit : run) {
        if (options_.cancelled && options_.cancelled()) return runs.Cancel();
        ScanCommit(own, reader, trees, commit, w);
        w.PublishProgress();
      }
    } while (runs.Take(&run));
  });
  GitHistory history;
  {
    GitObjectReader reader(packs, r, kWalkCacheBytes);
    history = WalkGitHistory(reader, *roots,
                             [&](const GitHistoryCommit& c) { runs.Add(c); });
  }
  runs.Close();
  SecretScanResult result;
  for (const std::string& warning : packs.warnings) {
    AddWarning(&result, warning);
  }
  for (std::string& warning : history.warnings) {
    AddWarning(&result, std::move(warning));
  }
  result.stats.unreadable += history.unreadable;
  group.Finish(options_.progress, result);
  return result;
}

absl::StatusOr<std::function<bool(const std::string&)>> GitIgnoreFilter(
    const std::string& root) {
  if (absl::Status s = LoadLibgit2(); !s.ok()) return s;
  git_repository* r = nullptr;
  if (Git2().git_repository_open_ext(&r, root.c_str(), 0, nullptr) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("honouring .gitignore needs a git repository; '", root,
                     "' is in none (", GitError(), ")"));
  }
  std::shared_ptr<git_repository> repo(r, Git2().git_repository_free);
  const char* workdir = Git2().git_repository_workdir(r);
  if (!workdir) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", root, "' is in a bare repository"));
  }
  std::error_code ec;
  std::string prefix =
      std::filesystem::relative(std::filesystem::canonical(root, ec),
                                std::filesystem::canonical(workdir, ec), ec)
          .string();
  if (prefix == ".") prefix.clear();
  if (!prefix.empty()) prefix += "/";
  // The walk calls this from one thread; the handle is not shared further.
  return [repo, prefix](const std::string& rel) {
    int ignored = 0;
    std::string path = prefix + rel;
    return Git2().git_ignore_path_is_ignored(&ignored, repo.get(),
                                             path.c_str()) == 0 &&
           ignored == 1;
  };
}

}  // namespace dso
