#include "stages/scan/secrets/internal/git_object_parse.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

std::string Id(char c) { return std::string(GIT_OID_RAWSZ, c); }
std::string Hex(char c) { return std::string(GIT_OID_HEXSZ, c); }

// Every entry of a tree, read with GitTreeReader; its first error.
absl::StatusOr<std::vector<GitTreeEntry>> Entries(absl::string_view tree) {
  std::vector<GitTreeEntry> out;
  GitTreeReader reader(tree);
  for (GitTreeEntry e;;) {
    auto more = reader.Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back(e);
  }
}

TEST(GitObjectParseTest, TreeEntries) {
  std::string tree = std::string("100644 a.txt\0", 13) + Id('\x01') +
                     std::string("40000 dir\0", 10) + Id('\x02') +
                     std::string("160000 sub\0", 11) + Id('\x03') +
                     std::string("120000 link\0", 12) + Id('\x04');
  auto entries = Entries(tree);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].name, "a.txt");
  EXPECT_EQ((*entries)[0].mode, 0100644u);
  EXPECT_TRUE((*entries)[0].is_file());
  EXPECT_TRUE((*entries)[1].is_tree());
  EXPECT_EQ((*entries)[1].id.id[0], 2);
  EXPECT_TRUE((*entries)[2].is_submodule());
  EXPECT_TRUE((*entries)[3].is_file());
}

TEST(GitObjectParseTest, MalformedTrees) {
  const std::string cases[] = {
      std::string("100644 a\0", 9) + Id('\x01').substr(0, 19),  // cut id
      std::string("100644a\0", 8) + Id('\x01'),                 // no space
      std::string("100644 \0", 8) + Id('\x01'),                 // no name
      std::string("12345678 a\0", 11) + Id('\x01'),             // long mode
      std::string("100644 a", 8),                               // no NUL
      std::string("1008 a\0", 7) + Id('\x01'),                  // not octal
  };
  for (const std::string& c : cases) {
    EXPECT_FALSE(Entries(c).ok()) << c;
  }
  auto empty = Entries("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(GitObjectParseTest, CommitHeader) {
  std::string commit = "tree " + Hex('a') + "\nparent " + Hex('b') +
                       "\nparent " + Hex('C') +
                       "\nauthor A <a@b> 1 +0000\n\nmessage\n";
  auto h = ParseGitCommitHeader(commit);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->tree.id[0], 0xaa);
  ASSERT_EQ(h->parents.size(), 2u);
  EXPECT_EQ(h->parents[1].id[0], 0xcc);
  auto root = ParseGitCommitHeader("tree " + Hex('0') + "\nauthor x\n");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->parents.empty());
  EXPECT_EQ(root->commit_time, 0);  // no committer line
}

TEST(GitObjectParseTest, CommitTime) {
  std::string head = "tree " + Hex('a') + "\nauthor A <a@b> 5 +0000\n";
  auto t = [&](const std::string& rest) {
    auto h = ParseGitCommitHeader(head + rest);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? h->commit_time : -1;
  };
  EXPECT_EQ(t("committer C <c@d> 1700000000 +0100\n\nmsg\n"), 1700000000);
  // A '>' in the name does not hide the time after the address.
  EXPECT_EQ(t("committer C> <c@d> 42 -0500\n\n"), 42);
  // A committer line in the message is not the header's.
  EXPECT_EQ(t("\ncommitter C <c@d> 9 +0000\n"), 0);
  EXPECT_EQ(t("committer C <c@d> +0000\n"), 0);
  EXPECT_EQ(t("committer C c@d 7 +0000\n"), 0);
  EXPECT_EQ(t("committer C <c@d> 99999999999999999999999 +0000\n"), 0);
  EXPECT_EQ(t("committer C <c@d> 12"), 12);  // no newline at the end
}

TEST(GitObjectParseTest, TagTarget) {
  auto id = ParseGitTagTarget("object " + Hex('b') + "\ntype commit\n");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->id[0], 0xbb);
  EXPECT_FALSE(ParseGitTagTarget("type commit\n").ok());
  EXPECT_FALSE(ParseGitTagTarget("object " + Hex('b')).ok());
}

TEST(GitObjectParseTest, MalformedCommits) {
  EXPECT_THAT(ParseGitCommitHeader("author x\n").status().message(),
              HasSubstr("tree"));
  EXPECT_FALSE(ParseGitCommitHeader("tree " + Hex('g') + "\n").ok());
  EXPECT_FALSE(ParseGitCommitHeader("tree " + Hex('a')).ok());
  EXPECT_THAT(ParseGitCommitHeader("tree " + Hex('a') + "\nparent 12\n")
                  .status()
                  .message(),
              HasSubstr("parent"));
}

}  // namespace
}  // namespace dso
