#include "stages/scan/secrets/internal/git_history.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/secrets/internal/git_handles.h"
#include "stages/scan/secrets/internal/git_object_parse.h"
#include "stages/scan/secrets/internal/git_test_repo.h"

namespace dso {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

class GitHistoryTest : public GitRepoTest {
 protected:
  // git with author and committer dates `t` seconds into the history.
  void GitAt(int t, const std::string& args) {
    std::string date = "@" + std::to_string(1700000000 + t) + " +0000";
    std::string cmd = "GIT_AUTHOR_DATE='" + date + "' GIT_COMMITTER_DATE='" +
                      date + "' git -C '" + dir_ + "' " + args +
                      " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  // A commit of `file` with `text` at time `t`.
  void Commit(const std::string& file, const std::string& text, int t) {
    std::ofstream(dir_ + "/" + file) << text;
    Git("add -A");
    GitAt(t, "commit -q -m m" + std::to_string(t));
  }
  // A history with a side branch merged back and a tag:
  //   c1 - c2 - c4 - merge(c5) - c6   (main)
  //          \- c3 -/                 (side, tag v1 on c3)
  void BuildBranchyHistory() {
    Commit("a", "1", 1);
    Commit("a", "2", 2);
    Git("branch side");
    Git("checkout -q side");
    Commit("b", "3", 3);
    GitAt(3, "tag -a v1 -m tag");
    Git("checkout -q -");
    Commit("a", "4", 4);
    GitAt(5, "merge -q --no-edit side");
    Commit("a", "6", 6);
  }
  void Open() {
    ASSERT_EQ(git_repository_open(&repo_, dir_.c_str()), 0) << GitError();
  }
  // The ids `git ARGS` prints in the repository, one a line, in order.
  std::vector<std::string> GitIds(const std::string& args) {
    std::vector<std::string> out;
    std::string cmd = "git -C '" + dir_ + "' " + args;
    FILE* p = popen(cmd.c_str(), "r");
    char line[256];
    while (p && fgets(line, sizeof line, p)) {
      out.emplace_back(line, GIT_OID_HEXSZ);
    }
    if (p) pclose(p);
    return out;
  }
  // git's own answer: `git rev-list ARGS`, in its order.
  std::vector<std::string> RevList(const std::string& args) {
    return GitIds("rev-list " + args);
  }
  git_oid Id(const std::string& rev) {
    auto ids = GitIds("rev-parse --verify -q '" + rev + "'");
    git_oid id{};
    EXPECT_EQ(ids.size(), 1u) << rev;
    if (!ids.empty()) EXPECT_TRUE(ParseGitHexId(ids[0], &id));
    return id;
  }
  // The commits the walk hands on, in order, and what else it found.
  struct Walked : GitHistory {
    std::vector<GitHistoryCommit> commits;
  };
  Walked Walk(const GitHistoryRoots& roots, size_t max = 10'000'000) {
    GitPacks packs = OpenGitPacks(repo_);
    GitObjectReader reader(packs, repo_);
    Walked out;
    static_cast<GitHistory&>(out) = WalkGitHistory(
        reader, roots,
        [&](const GitHistoryCommit& c) { out.commits.push_back(c); }, max);
    return out;
  }
  static std::vector<std::string> Hex(const Walked& h) {
    std::vector<std::string> out;
    for (const GitHistoryCommit& c : h.commits) out.push_back(OidHex(c.id));
    return out;
  }
};

TEST_F(GitHistoryTest, ListsWhatGitListsNewestFirst) {
  BuildBranchyHistory();
  Open();
  Walked h = Walk({{Id("HEAD"), Id("side")}, {}, {}});
  EXPECT_THAT(Hex(h), ElementsAreArray(RevList("--date-order HEAD side")));
  EXPECT_TRUE(h.warnings.empty());
}

TEST_F(GitHistoryTest, ParentsAndTheirTrees) {
  BuildBranchyHistory();
  Open();
  Walked h = Walk({{Id("HEAD")}, {}, {}});
  ASSERT_EQ(h.commits.size(), 6u);
  for (const GitHistoryCommit& c : h.commits) {
    std::string hex = OidHex(c.id);
    size_t parents = RevList("--no-walk " + hex + "^@").size();
    EXPECT_EQ(c.parents, parents) << hex;
    EXPECT_EQ(OidHex(c.tree), OidHex(Id(hex + "^{tree}"))) << hex;
    if (parents == 1) {
      EXPECT_EQ(OidHex(c.parent_tree), OidHex(Id(hex + "^^{tree}"))) << hex;
    }
  }
  EXPECT_EQ(h.commits.back().parents, 0u);  // the root commit
}

TEST_F(GitHistoryTest, TagsArePeeledAndHiddenCommitsLeftOut) {
  BuildBranchyHistory();
  Open();
  // An annotated tag as a start, --since's commit and its ancestors hidden.
  Walked h = Walk({{Id("HEAD"), Id("refs/tags/v1")}, {Id("HEAD~2")}, {}});
  EXPECT_THAT(Hex(h), UnorderedElementsAreArray(RevList("HEAD v1 ^HEAD~2")));
  EXPECT_EQ(h.commits.size(), 3u);  // c6, the merge and c3 (not behind c4)
  // Hiding everything leaves nothing.
  EXPECT_TRUE(Walk({{Id("HEAD")}, {Id("HEAD")}, {}}).commits.empty());
}

TEST_F(GitHistoryTest, AShallowCloneEndsWhereItsShallowFileSays) {
  BuildBranchyHistory();
  std::string full = dir_;
  dir_ = full + "-shallow";
  ASSERT_EQ(std::system(("git clone -q --depth 2 file://" + full + " " + dir_ +
                         " >/dev/null 2>&1")
                            .c_str()),
            0);
  Open();
  std::ifstream in(dir_ + "/.git/shallow");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  GitHistoryRoots roots{{Id("HEAD")}, {}, ParseShallowFile(text)};
  ASSERT_FALSE(roots.shallow.empty());
  Walked h = Walk(roots);
  EXPECT_THAT(Hex(h), UnorderedElementsAreArray(RevList("HEAD")));
  EXPECT_TRUE(h.warnings.empty());
  size_t roots_seen = 0;
  for (const GitHistoryCommit& c : h.commits) roots_seen += c.parents == 0;
  EXPECT_GE(roots_seen, 1u);  // the boundary reads as a root commit
  std::filesystem::remove_all(dir_);
  dir_ = full;
}

TEST_F(GitHistoryTest, UnreadableCommitsAreNamedAndTheWalkGoesOn) {
  Commit("a", "1", 1);
  Commit("a", "2", 2);
  Commit("a", "3", 3);
  Open();
  // The middle commit's object removed (a damaged repository).
  std::string middle = OidHex(Id("HEAD~1"));
  std::filesystem::remove(dir_ + "/.git/objects/" + middle.substr(0, 2) + "/" +
                          middle.substr(2));
  Walked h = Walk({{Id("HEAD")}, {}, {}});
  ASSERT_EQ(h.commits.size(), 1u);
  EXPECT_TRUE(h.commits[0].parent_unreadable);
  EXPECT_EQ(h.unreadable, 1u);
  ASSERT_EQ(h.warnings.size(), 2u);
  EXPECT_THAT(h.warnings[0], HasSubstr("commit " + middle + " cannot be read"));
  EXPECT_THAT(h.warnings[1], HasSubstr(": its parent cannot be read"));
  // A start that is not a commit (a ref to a blob) adds nothing.
  Walked blob = Walk({{Id("HEAD:a")}, {}, {}});
  EXPECT_TRUE(blob.commits.empty());
  EXPECT_TRUE(blob.warnings.empty());
}

TEST_F(GitHistoryTest, StopsAtTheCommitBound) {
  for (int t = 1; t <= 5; ++t) Commit("a", std::to_string(t), t);
  Open();
  Walked h = Walk({{Id("HEAD")}, {}, {}}, 3);
  EXPECT_LE(h.commits.size(), 4u);
  ASSERT_FALSE(h.warnings.empty());
  EXPECT_THAT(h.warnings.back(), HasSubstr("more than 3 commits"));
}

TEST(ShallowFileTest, ReadsIdsAndSkipsTheRest) {
  std::string a(40, 'a'), b(40, 'B');
  OidSet ids = ParseShallowFile(a + "\n\nnot an id\n" + b + "\r\n" + a + "x");
  EXPECT_EQ(ids.size(), 2u);
}

}  // namespace
}  // namespace dso
