#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/secrets/gitleaks_config.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

const std::string kToken = std::string("tok_") + "q8vN3kLm2R";

class SecretGitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = MakeTempDir("dso-git");
    ASSERT_FALSE(repo_.empty());
    Git("init -q");
    Git("config user.name 'Dev One'");
    Git("config user.email dev@example.org");
    auto set = ParseGitleaksConfig(
        "[[rules]]\nid = \"tok\"\nregex = '''\\b(tok_[A-Za-z0-9]{10})\\b'''\n",
        "t.toml", "");
    ASSERT_TRUE(set.ok()) << set.status();
    matcher_ = *SecretMatcher::Compile(*std::move(set));
  }
  void TearDown() override { std::filesystem::remove_all(repo_); }

  void Git(const std::string& args) {
    std::string cmd = "git -C '" + repo_ + "' " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void Commit(const std::string& file, const std::string& content,
              const std::string& message) {
    std::ofstream(repo_ + "/" + file) << content;
    Git("add -A");
    Git("commit -q -m '" + message + "'");
  }
  // The first word git prints.
  std::string GitOut(const std::string& args) {
    std::string cmd = "git -C '" + repo_ + "' " + args;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[128] = {0};
    if (p) {
      if (fscanf(p, "%127s", buf) != 1) buf[0] = 0;
      pclose(p);
    }
    return buf;
  }
  std::string Head() { return GitOut("rev-parse HEAD"); }

  std::string repo_;
  std::unique_ptr<SecretMatcher> matcher_;
};

TEST_F(SecretGitTest, FindsAddedLinesWithCommitDetails) {
  Commit("a.py", "x = 1\n", "first");
  Commit("a.py", "x = 1\nkey = '" + kToken + "'\n", "add key");
  std::string added = Head();
  Commit("a.py", "x = 1\n", "remove key");  // deletion: nothing to report
  Git("mv a.py b.py");
  Git("commit -q -m rename");  // a rename adds no lines
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stats.commits, 4u);
  ASSERT_EQ(r->findings.size(), 1u);
  const SecretFinding& f = r->findings[0];
  EXPECT_EQ(f.commit, added);
  EXPECT_EQ(f.file, "a.py");
  EXPECT_EQ(f.line, 2u);
  EXPECT_EQ(f.author, "Dev One");
  EXPECT_EQ(f.email, "dev@example.org");
  EXPECT_EQ(f.message, "add key");
  EXPECT_THAT(f.date, ::testing::MatchesRegex("20[0-9-]+T[0-9:]+Z"));
  EXPECT_EQ(f.Fingerprint("tok"), added + ":a.py:tok:2");
  EXPECT_EQ(f.secret.find(kToken), std::string::npos);
}

TEST_F(SecretGitTest, SinceLimitsToNewerCommitsAndBranchesCount) {
  Commit("a.py", "k = " + kToken + "\n", "old secret");
  std::string old = Head();
  Git("checkout -q -b feature");
  Commit("b.py", "k = tok_" + std::string("Zz9Yy8Xx7W") + "\n", "on a branch");
  SecretScanner scanner(*matcher_, {});
  auto all = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->findings.size(), 2u);
  auto newer = scanner.ScanGitHistory(repo_, old);
  ASSERT_TRUE(newer.ok());
  ASSERT_EQ(newer->findings.size(), 1u);
  EXPECT_EQ(newer->findings[0].file, "b.py");
  auto bad = scanner.ScanGitHistory(repo_, "no-such-rev");
  EXPECT_THAT(bad.status().message(), HasSubstr("--since 'no-such-rev'"));
}

TEST_F(SecretGitTest, AFileMovedAndEditedAddsOnlyItsEdits) {
  std::string body = "x = 1\nold = '" + kToken + "'\n";
  for (int i = 0; i < 8; ++i) body += "line " + std::to_string(i) + "\n";
  Commit("a.py", body, "first");
  std::filesystem::create_directories(repo_ + "/pkg");
  Git("mv a.py pkg/b.py");
  std::ofstream(repo_ + "/pkg/b.py", std::ios::app) << "new = 'tok_"
                                                    << "Zz9Yy8Xx7W'\n";
  Commit("c.py", "unrelated = 1\n", "move and edit");
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->findings.size(), 2u);
  std::vector<std::string> where;
  for (const SecretFinding& f : r->findings) {
    where.push_back(f.file + ":" + std::to_string(f.line));
  }
  EXPECT_THAT(where, ::testing::UnorderedElementsAre("a.py:2", "pkg/b.py:11"));
}

TEST_F(SecretGitTest, MissingObjectsAreWarningsAndTheScanGoesOn) {
  Commit("a.py", "k = " + kToken + "\n", "one");
  Commit("b.py", "other = " + kToken + "\n", "two");
  // Remove the loose blob object of b.py.
  std::string blob = GitOut("rev-parse HEAD:b.py");
  ASSERT_EQ(blob.size(), 40u);
  ASSERT_TRUE(std::filesystem::remove(
      repo_ + "/.git/objects/" + blob.substr(0, 2) + "/" + blob.substr(2)));
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->stats.unreadable, 1u);
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_THAT(r->warnings[0], HasSubstr("cannot"));
  EXPECT_EQ(r->findings.size(), 1u);  // a.py's, from the intact commit
}

TEST_F(SecretGitTest, GitIgnoreFilterLeavesOutIgnoredPaths) {
  Commit(".gitignore", "build/\n*.log\n", "ignore");
  std::filesystem::create_directories(repo_ + "/build");
  std::filesystem::create_directories(repo_ + "/src");
  for (const char* f : {"build/out.txt", "debug.log", "src/app.py"}) {
    std::ofstream(repo_ + "/" + f) << "k = " << kToken << "\n";
  }
  auto filter = GitIgnoreFilter(repo_);
  ASSERT_TRUE(filter.ok()) << filter.status();
  SecretScanOptions o;
  o.skip_path = *filter;
  auto r = SecretScanner(*matcher_, o).ScanDirectory(repo_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].file, "src/app.py");
  EXPECT_EQ(r->stats.ignored, 2u);
  // Without it, everything is scanned.
  auto all = SecretScanner(*matcher_, {}).ScanDirectory(repo_);
  EXPECT_EQ(all->findings.size(), 3u);
  // A subdirectory of the repository works too.
  auto sub = GitIgnoreFilter(repo_ + "/src");
  ASSERT_TRUE(sub.ok());
  EXPECT_FALSE((*sub)("app.py"));
  EXPECT_THAT(GitIgnoreFilter("/").status().message(),
              HasSubstr("needs a git repository"));
}

TEST_F(SecretGitTest, AttributesCannotHideChanges) {
  // A committed `-diff` attribute makes git show the file as binary; the
  // scan reads the lines all the same (gitleaks, reading `git log -p`,
  // does not).
  Commit(".gitattributes", "*.env -diff\n", "attributes");
  Commit("prod.env", "A=1\n", "env");
  Commit("prod.env", "A=1\nK=" + kToken + "\n", "key");
  std::string added = Head();
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].commit, added);
  EXPECT_EQ(r->findings[0].line, 2u);
}

TEST_F(SecretGitTest, PackedHistoryGivesTheSameFindings) {
  std::string body;
  for (int c = 0; c < 40; ++c) {
    body.insert(body.size() / 2, "line " + std::to_string(c) + "\n");
    if (c % 10 == 5)
      body += "k" + std::to_string(c) + " = tok_" + std::string("Zz9Yy8Xx") +
              std::to_string(10 + c) + "\n";
    Commit("a.py", body, "c" + std::to_string(c));
  }
  SecretScanner scanner(*matcher_, {});
  auto loose = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(loose.ok()) << loose.status();
  Git("repack -adf -q --depth=50");
  auto packed = scanner.ScanGitHistory(repo_, "");
  ASSERT_TRUE(packed.ok()) << packed.status();
  EXPECT_EQ(loose->findings.size(), 4u);
  ASSERT_EQ(packed->findings.size(), loose->findings.size());
  for (size_t i = 0; i < loose->findings.size(); ++i) {
    EXPECT_EQ(packed->findings[i].Fingerprint("tok"),
              loose->findings[i].Fingerprint("tok"));
  }
  EXPECT_EQ(packed->stats.commits, 40u);
  EXPECT_EQ(packed->stats.unreadable, 0u);
}

TEST_F(SecretGitTest, NotARepositoryIsAnError) {
  SecretScanner scanner(*matcher_, {});
  auto r = scanner.ScanGitHistory("/nonexistent/dir", "");
  EXPECT_THAT(r.status().message(), HasSubstr("not a git repository"));
}

}  // namespace
}  // namespace dso
