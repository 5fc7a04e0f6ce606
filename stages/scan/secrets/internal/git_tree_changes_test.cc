#include "stages/scan/secrets/internal/git_tree_changes.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/secrets/internal/git_test_repo.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class TreeChangesTest : public GitRepoTest {
 protected:
  void TearDown() override {
    for (git_tree* t : trees_) git_tree_free(t);
    GitRepoTest::TearDown();
  }
  void Write(const std::string& path, const std::string& content) {
    std::filesystem::path p(dir_ + "/" + path);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  // Commits the work tree and returns its tree, owned by the fixture.
  git_tree* Snapshot() {
    Git("add -A");
    Git("commit -q --allow-empty -m c");
    if (!repo_ && git_repository_open(&repo_, dir_.c_str()) != 0)
      return nullptr;
    git_object* o = nullptr;
    if (git_revparse_single(&o, repo_, "HEAD^{tree}") != 0) return nullptr;
    trees_.push_back(reinterpret_cast<git_tree*>(o));
    return trees_.back();
  }
  absl::StatusOr<TreeChanges> List(const git_tree* before,
                                   const git_tree* after) {
    GitPacks packs = OpenGitPacks(repo_);
    GitObjectReader reader(packs, repo_);
    GitTreeCache trees(reader);
    return ListTreeChanges(trees, before ? git_tree_id(before) : nullptr,
                           *git_tree_id(after));
  }
  // "A path" for added files, "M path" for modified ones.
  static std::vector<std::string> Describe(const TreeChanges& c) {
    std::vector<std::string> out;
    for (const TreeChange& t : c.changes) {
      out.push_back((t.added() ? "A " : "M ") + t.path);
    }
    return out;
  }

  std::vector<git_tree*> trees_;
};

TEST_F(TreeChangesTest, RootCommitAddsEveryFile) {
  Write("a.txt", "a\n");
  Write("src/lib/b.c", "b\n");
  git_tree* t = Snapshot();
  auto c = List(nullptr, t);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c), UnorderedElementsAre("A a.txt", "A src/lib/b.c"));
  EXPECT_FALSE(c->unpaired_deletions_and_additions);
}

TEST_F(TreeChangesTest, AddedModifiedAndDeletedFilesInNestedDirectories) {
  Write("a.txt", "a\n");
  Write("src/x.c", "x\n");
  Write("src/y.c", "y\n");
  Write("src/lib/z.c", "z\n");
  Write("src/lib.c", "sorts between src/lib and src/lib/ in git's order\n");
  git_tree* before = Snapshot();
  Write("src/x.c", "x2\n");
  std::filesystem::remove(dir_ + "/src/y.c");
  Write("src/lib/new.c", "n\n");
  Write("src/lib.c", "changed\n");
  Write("docs/readme.md", "r\n");
  git_tree* after = Snapshot();
  auto c = List(before, after);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c),
              UnorderedElementsAre("M src/x.c", "M src/lib.c",
                                   "A src/lib/new.c", "A docs/readme.md"));
  // y.c was deleted and files added: rename detection could pair them.
  EXPECT_TRUE(c->unpaired_deletions_and_additions);
}

TEST_F(TreeChangesTest, ExactRenamesOfFilesAndDirectoriesAddNothing) {
  Write("old/a.c", "a\n");
  Write("old/deep/b.c", "b\n");
  Write("f.txt", "f\n");
  git_tree* before = Snapshot();
  Git("mv old new");
  Git("mv f.txt g.txt");
  git_tree* after = Snapshot();
  auto c = List(before, after);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c), IsEmpty());
  EXPECT_FALSE(c->unpaired_deletions_and_additions);
}

TEST_F(TreeChangesTest, FilesMovedOutOfADeletedDirectoryPairUp) {
  Write("pkg/a.c", "a\n");
  Write("pkg/b.c", "b\n");
  git_tree* before = Snapshot();
  Git("mv pkg/a.c a.c");
  Git("mv pkg/b.c b.c");
  Write("c.c", "new\n");
  git_tree* after = Snapshot();
  auto c = List(before, after);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c), ElementsAre("A c.c"));
  EXPECT_FALSE(c->unpaired_deletions_and_additions);
}

TEST_F(TreeChangesTest, DeletionsAloneNeedNoRenameDetection) {
  Write("a.c", "a\n");
  Write("d/b.c", "b\n");
  git_tree* before = Snapshot();
  std::filesystem::remove_all(dir_ + "/d");
  Write("a.c", "a2\n");
  git_tree* after = Snapshot();
  auto c = List(before, after);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c), ElementsAre("M a.c"));
  EXPECT_FALSE(c->unpaired_deletions_and_additions);
}

TEST_F(TreeChangesTest, AFileReplacedByADirectory) {
  Write("x", "file\n");
  git_tree* before = Snapshot();
  std::filesystem::remove(dir_ + "/x");
  Write("x/inner.c", "i\n");
  git_tree* after = Snapshot();
  auto c = List(before, after);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c), ElementsAre("A x/inner.c"));
  EXPECT_TRUE(c->unpaired_deletions_and_additions);
}

TEST_F(TreeChangesTest, AMissingTreeIsAnErrorNamingIt) {
  Write("d/a.c", "a\n");
  git_tree* before = Snapshot();
  Write("d/b.c", "b\n");
  git_tree* after = Snapshot();
  // Remove the loose object of the new d/ tree.
  git_tree_entry* e = nullptr;
  ASSERT_EQ(git_tree_entry_bypath(&e, after, "d"), 0);
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(e));
  git_tree_entry_free(e);
  std::string h(hex);
  ASSERT_TRUE(std::filesystem::remove(dir_ + "/.git/objects/" + h.substr(0, 2) +
                                      "/" + h.substr(2)));
  auto c = List(before, after);
  EXPECT_THAT(c.status().message(), HasSubstr("('d') cannot be read"));
}

// Only the entries that differ are read; changes at the start, in the
// middle and at the end of a large directory, with one added and one
// deleted, are all found (and nothing of the equal rest).
TEST_F(TreeChangesTest, ChangesAnywhereInALargeDirectory) {
  for (int i = 0; i < 60; ++i) {
    Write("d/f" + std::to_string(100 + i) + ".c", std::to_string(i) + "\n");
  }
  git_tree* before = Snapshot();
  Write("d/f100.c", "changed\n");
  Write("d/f130.c", "changed\n");
  Write("d/f159.c", "changed\n");
  Write("d/f160.c", "new\n");
  std::filesystem::remove(dir_ + "/d/f101.c");
  git_tree* after = Snapshot();
  auto c = List(before, after);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(Describe(*c), UnorderedElementsAre("M d/f100.c", "M d/f130.c",
                                                 "M d/f159.c", "A d/f160.c"));
  // Only the last entry changed, and only the first.
  Write("d/f160.c", "again\n");
  git_tree* last = Snapshot();
  auto l = List(after, last);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_THAT(Describe(*l), ElementsAre("M d/f160.c"));
  Write("d/f100.c", "again\n");
  auto f = List(last, Snapshot());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(Describe(*f), ElementsAre("M d/f100.c"));
}

TEST_F(TreeChangesTest, AMalformedTreeIsAnErrorNamingIt) {
  Write("a.c", "a\n");
  git_tree* before = Snapshot();
  // A tree whose second entry is cut short, written as it is.
  std::string good(reinterpret_cast<const char*>(git_tree_id(before)->id),
                   GIT_OID_RAWSZ);
  std::string raw = "100644 a.c" + std::string(1, '\0') + good + "100644 b.c";
  std::ofstream(dir_ + "/bad") << raw;
  std::string cmd = "git -C '" + dir_ +
                    "' hash-object -t tree --literally -w bad 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  char line[64] = {0};
  ASSERT_TRUE(p && fgets(line, sizeof line, p));
  pclose(p);
  git_oid bad;
  ASSERT_EQ(git_oid_fromstrn(&bad, line, GIT_OID_HEXSZ), 0);
  GitPacks packs = OpenGitPacks(repo_);
  GitObjectReader reader(packs, repo_);
  GitTreeCache trees(reader);
  auto c = ListTreeChanges(trees, git_tree_id(before), bad);
  EXPECT_THAT(c.status().message(),
              HasSubstr("tree " + std::string(line, GIT_OID_HEXSZ) +
                        " is malformed: entry 2 is cut short"));
}

}  // namespace
}  // namespace dso
