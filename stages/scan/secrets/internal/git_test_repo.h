// Test fixture base for the history scan's git reading: an empty git
// repository (committer "T <t@example.org>") in a temporary directory, with
// libgit2 initialised (linked by the tests, and bound for the code under
// test: LoadLibgit2, which entry points call before any other); the fixture
// owns `repo_` once a test opens it, and removes everything at the end. Derived
// fixtures call SetUp/TearDown.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_TEST_REPO_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_TEST_REPO_H_

#include <git2.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/secrets/internal/libgit2_api.h"

namespace dso {

class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(LoadLibgit2().ok());
    git_libgit2_init();
    dir_ = MakeTempDir("dso-git");
    ASSERT_FALSE(dir_.empty());
    Git("init -q");
    Git("config user.name T");
    Git("config user.email t@example.org");
  }
  void TearDown() override {
    git_repository_free(repo_);
    std::filesystem::remove_all(dir_);
    git_libgit2_shutdown();
  }
  // Runs git in the repository; fails the test unless it succeeds.
  void Git(const std::string& args) {
    std::string cmd = "git -C '" + dir_ + "' " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  std::string dir_;
  git_repository* repo_ = nullptr;
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_TEST_REPO_H_
