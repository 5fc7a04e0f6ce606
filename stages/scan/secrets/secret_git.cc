// SecretScanner::ScanGitHistory: the added lines of every commit, read with
// libgit2. Commits are spread over worker threads, each with its own
// repository handle (libgit2 objects are not shared between threads).
#include <atomic>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "stages/scan/secrets/git_handles.h"
#include "stages/scan/secrets/git_tree_changes.h"
#include "stages/scan/secrets/secret_filter.h"
#include "stages/scan/secrets/secret_scanner.h"
#include "stages/scan/secrets/secret_worker.h"

namespace dso {
namespace {

// Added lines are scanned in fragments of at most this size.
constexpr size_t kMaxFragment = 4 << 20;

// libgit2's global state, held while any scan runs. Its object cache holds
// the trees the walk rereads from commit to commit; 16 MiB of it is nearly as
// fast as 96 MiB and keeps a history scan's memory near that of a directory
// scan (pack files stay mapped: their pages are the file's).
struct Libgit2 {
  Libgit2() {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE,
                     static_cast<ssize_t>(16 << 20));
  }
  ~Libgit2() { git_libgit2_shutdown(); }
};

absl::StatusOr<std::vector<git_oid>> ListCommits(git_repository* repo,
                                                 const std::string& path,
                                                 const std::string& since) {
  git_revwalk* w = nullptr;
  if (git_revwalk_new(&w, repo) != 0) {
    return absl::InternalError(absl::StrCat(path, ": ", GitError()));
  }
  GitWalk walk(w);
  git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_revwalk_push_head(w);  // an unborn HEAD just adds nothing
  git_revwalk_push_glob(w, "*");
  if (!since.empty()) {
    git_object* o = nullptr;
    if (git_revparse_single(&o, repo, since.c_str()) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("--since '", since,
                                                     "' is not a revision of ",
                                                     path, ": ", GitError()));
    }
    GitObject obj(o);
    git_object* c = nullptr;
    if (git_object_peel(&c, o, GIT_OBJECT_COMMIT) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--since '", since, "' names no commit"));
    }
    GitObject commit(c);
    git_revwalk_hide(w, git_object_id(c));
  }
  std::vector<git_oid> out;
  git_oid oid;
  while (git_revwalk_next(&oid, w) == 0) out.push_back(oid);
  return out;
}

// Accumulates one delta's added lines into fragments and scans them.
struct DiffScan {
  SecretScanner::Worker* worker;
  const SecretRuleSet* rules;
  SecretFinding commit;
  std::string path;
  bool skip_file = false;
  std::string fragment;
  uint32_t first_line = 0;
  uint32_t next_line = 0;

  // Added text of `file` starting at `line`.
  void Scan(absl::string_view text, const std::string& file, uint32_t line) {
    worker->ScanBuffer(text, file, line, 0, text.size(), &commit);
    worker->result().stats.bytes += text.size();
  }
  void Flush() {
    if (!fragment.empty()) {
      Scan(fragment, path, first_line);
      fragment.clear();
    }
  }
};

// Diffs that yield only the added lines.
git_diff_options AddedLinesOnly() {
  git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  return opts;
}

int OnFile(const git_diff_delta* delta, float, void* payload) {
  auto* d = static_cast<DiffScan*>(payload);
  d->Flush();
  d->path = delta->new_file.path ? delta->new_file.path : "";
  d->skip_file = (delta->flags & GIT_DIFF_FLAG_BINARY) != 0 ||
                 ExcludesFile(d->rules->allowlists, d->path, d->commit.commit);
  return 0;
}

int OnHunk(const git_diff_delta*, const git_diff_hunk*, void* payload) {
  static_cast<DiffScan*>(payload)->Flush();
  return 0;
}

int OnLine(const git_diff_delta*, const git_diff_hunk*,
           const git_diff_line* line, void* payload) {
  auto* d = static_cast<DiffScan*>(payload);
  if (d->skip_file || line->origin != GIT_DIFF_LINE_ADDITION) return 0;
  uint32_t lineno = static_cast<uint32_t>(line->new_lineno);
  if (!d->fragment.empty() &&
      (lineno != d->next_line || d->fragment.size() >= kMaxFragment)) {
    d->Flush();
  }
  if (d->fragment.empty()) d->first_line = lineno;
  d->fragment.append(line->content, line->content_len);
  d->next_line = lineno + 1;
  return 0;
}

SecretFinding CommitInfo(git_commit* c) {
  SecretFinding f;
  f.commit = OidHex(*git_commit_id(c));
  if (const git_signature* a = git_commit_author(c)) {
    f.author = a->name ? a->name : "";
    f.email = a->email ? a->email : "";
    f.date = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                              absl::FromUnixSeconds(a->when.time),
                              absl::UTCTimeZone());
  }
  const char* msg = git_commit_message(c);
  f.message = std::string(absl::StripTrailingAsciiWhitespace(msg ? msg : ""));
  return f;
}

absl::StatusOr<GitBlob> LookupBlob(git_repository* repo, const git_oid& id,
                                   const std::string& path) {
  git_blob* b = nullptr;
  if (git_blob_lookup(&b, repo, &id) != 0) {
    return absl::DataLossError(
        absl::StrCat("cannot read a blob of '", path, "': ", GitError()));
  }
  return GitBlob(b);
}

// The added lines of files a tree walk found: a new file is scanned whole,
// a modified one by its diff against the old version.
absl::Status ScanChanges(git_repository* repo,
                         const std::vector<TreeChange>& changes, DiffScan& d) {
  const git_diff_options opts = AddedLinesOnly();
  for (const TreeChange& c : changes) {
    if (ExcludesFile(d.rules->allowlists, c.path, d.commit.commit)) continue;
    auto blob = LookupBlob(repo, c.new_id, c.path);
    if (!blob.ok()) return blob.status();
    if (c.added()) {
      if (git_blob_is_binary(blob->get())) continue;
      d.Scan(absl::string_view(
                 static_cast<const char*>(git_blob_rawcontent(blob->get())),
                 static_cast<size_t>(git_blob_rawsize(blob->get()))),
             c.path, 1);
      continue;
    }
    auto old_blob = LookupBlob(repo, c.old_id, c.path);
    if (!old_blob.ok()) return old_blob.status();
    if (git_diff_blobs(old_blob->get(), c.path.c_str(), blob->get(),
                       c.path.c_str(), &opts, OnFile, nullptr, OnHunk, OnLine,
                       &d) != 0) {
      return absl::DataLossError(
          absl::StrCat("cannot diff '", c.path, "': ", GitError()));
    }
    d.Flush();
  }
  return absl::OkStatus();
}

// libgit2's full tree diff with similarity-based rename detection, for
// commits that both delete and add files (a moved file that was also edited
// adds only its edits, as in `git log -p`).
absl::Status ScanDiffWithRenames(git_repository* repo, git_tree* old_tree,
                                 git_tree* new_tree, DiffScan& d) {
  git_diff* diff = nullptr;
  const git_diff_options opts = AddedLinesOnly();
  if (git_diff_tree_to_tree(&diff, repo, old_tree, new_tree, &opts) != 0) {
    return absl::DataLossError(absl::StrCat("cannot diff: ", GitError()));
  }
  GitDiff diff_handle(diff);
  git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
  find.flags = GIT_DIFF_FIND_RENAMES;
  git_diff_find_similar(diff, &find);
  if (git_diff_foreach(diff, OnFile, nullptr, OnHunk, OnLine, &d) != 0) {
    return absl::DataLossError(
        absl::StrCat("cannot read a blob: ", GitError()));
  }
  d.Flush();
  return absl::OkStatus();
}

}  // namespace

void SecretScanner::ScanCommit(git_repository* repo, const git_oid& oid,
                               Worker& w) {
  // A commit that cannot be read is counted and named, and the scan goes on.
  auto unreadable = [&](absl::string_view what) {
    ++w.result().stats.unreadable;
    AddWarning(&w.result(), absl::StrCat("commit ", OidHex(oid), what));
  };
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo, &oid) != 0) {
    return unreadable(absl::StrCat(" cannot be read: ", GitError()));
  }
  GitCommit commit(c);
  ++w.result().stats.commits;
  if (git_commit_parentcount(c) > 1) return;  // merges add nothing
  DiffScan d{&w, &matcher_.rules(), CommitInfo(c)};
  if (ExcludesCommit(matcher_.rules().allowlists, d.commit.commit)) return;
  git_tree *t = nullptr, *pt = nullptr;
  git_commit* parent = nullptr;
  if (git_commit_parentcount(c) == 1 && git_commit_parent(&parent, c, 0) == 0) {
    GitCommit p(parent);
    git_commit_tree(&pt, parent);
  }
  GitTree parent_tree(pt);
  if (git_commit_tree(&t, c) != 0) {
    return unreadable(absl::StrCat(": cannot read its tree: ", GitError()));
  }
  GitTree tree(t);
  auto changes = ListTreeChanges(repo, pt, t);
  if (!changes.ok()) {
    return unreadable(absl::StrCat(": ", changes.status().message()));
  }
  absl::Status scanned = changes->unpaired_deletions_and_additions
                             ? ScanDiffWithRenames(repo, pt, t, d)
                             : ScanChanges(repo, changes->changes, d);
  if (!scanned.ok()) unreadable(absl::StrCat(": ", scanned.message()));
}

absl::StatusOr<SecretScanResult> SecretScanner::ScanGitHistory(
    const std::string& path, const std::string& since) {
  Libgit2 lib;
  git_repository* r = nullptr;
  if (git_repository_open_ext(&r, path.c_str(), 0, nullptr) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a git repository: ", GitError()));
  }
  GitRepo repo(r);
  auto commits = ListCommits(r, path, since);
  if (!commits.ok()) return commits.status();

  int n = std::max(
      1, std::min<int>(WorkerCount(), static_cast<int>(commits->size())));
  std::atomic<size_t> next{0};
  WorkerGroup group(*this, n, [&](Worker& w) {
    git_repository* own = nullptr;
    if (git_repository_open_ext(&own, path.c_str(), 0, nullptr) != 0) {
      AddWarning(&w.result(), absl::StrCat(path, ": ", GitError()));
      return;
    }
    GitRepo repo_handle(own);
    for (size_t k; (k = next++) < commits->size();) {
      if (options_.cancelled && options_.cancelled()) break;
      ScanCommit(own, (*commits)[k], w);
      w.PublishProgress();
    }
  });
  SecretScanResult result;
  group.Finish(options_.progress, result);
  return result;
}

absl::StatusOr<std::function<bool(const std::string&)>> GitIgnoreFilter(
    const std::string& root) {
  auto lib = std::make_shared<Libgit2>();
  git_repository* r = nullptr;
  if (git_repository_open_ext(&r, root.c_str(), 0, nullptr) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("honouring .gitignore needs a git repository; '", root,
                     "' is in none (", GitError(), ")"));
  }
  std::shared_ptr<git_repository> repo(r, git_repository_free);
  const char* workdir = git_repository_workdir(r);
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
  return [lib, repo, prefix](const std::string& rel) {
    int ignored = 0;
    std::string path = prefix + rel;
    return git_ignore_path_is_ignored(&ignored, repo.get(), path.c_str()) ==
               0 &&
           ignored == 1;
  };
}

}  // namespace dso
