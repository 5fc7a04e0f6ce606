#include "agent/journal_pool.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

class JournalPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("journal-pool");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  std::string dir_;
};

TEST_F(JournalPoolTest, RecycledFileComesBackUnderTheNewName) {
  JournalPool pool(dir_ + "/spare", 4);
  std::string old_run = Write("old.journal", "events of a pruned run");
  pool.Recycle(old_run);
  EXPECT_FALSE(fs::exists(old_run));
  EXPECT_EQ(pool.size(), 1u);
  absl::Status error;
  ASSERT_TRUE(pool.TakeAs(dir_ + "/new.journal", &error));
  EXPECT_TRUE(error.ok());
  // Its bytes stay, to be overwritten (no blocks freed and allocated
  // again), and it ends at a block boundary.
  EXPECT_EQ(fs::file_size(dir_ + "/new.journal"), 4096u);
  EXPECT_EQ(ReadFile(dir_ + "/new.journal").value().substr(0, 22),
            "events of a pruned run");
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_FALSE(pool.TakeAs(dir_ + "/other.journal", &error));  // empty pool
  EXPECT_TRUE(error.ok());
}

TEST_F(JournalPoolTest, ALargeJournalIsEmptiedBeforeItIsKept) {
  JournalPool pool(dir_ + "/spare", 4);
  pool.Recycle(
      Write("big.journal", std::string(JournalPool::kKeepBytes + 1, 'b')));
  absl::Status error;
  ASSERT_TRUE(pool.TakeAs(dir_ + "/new.journal", &error));
  EXPECT_EQ(fs::file_size(dir_ + "/new.journal"), 0u);
}

TEST_F(JournalPoolTest, NeverReplacesAnExistingJournal) {
  JournalPool pool(dir_ + "/spare", 4);
  pool.Recycle(Write("old.journal", "x"));
  std::string taken = Write("taken.journal", "another run's events");
  absl::Status error;
  EXPECT_FALSE(pool.TakeAs(taken, &error));
  EXPECT_EQ(error.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(fs::file_size(taken), 20u);
  EXPECT_EQ(pool.size(), 1u);  // the spare is kept
}

TEST_F(JournalPoolTest, BeyondCapacityFilesAreDeleted) {
  JournalPool pool(dir_ + "/spare", 2);
  for (int i = 0; i < 5; ++i) {
    std::string path = Write("run" + std::to_string(i), "x");
    pool.Recycle(path);
    EXPECT_FALSE(fs::exists(path));
  }
  EXPECT_EQ(pool.size(), 2u);
  size_t files = 0;
  for (const auto& d : fs::directory_iterator(dir_ + "/spare")) {
    (void)d;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST_F(JournalPoolTest, ANewPoolAdoptsOnlySmallNumberedSpares) {
  fs::create_directories(dir_ + "/spare/7");  // not a file
  Write("spare/3", "a small pruned journal");
  Write("spare/4", std::string(JournalPool::kKeepBytes + 1, 't'));
  Write("spare/junk", "");
  JournalPool pool(dir_ + "/spare", 8);
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_TRUE(fs::exists(dir_ + "/spare/3"));
  EXPECT_FALSE(fs::exists(dir_ + "/spare/4"));
  EXPECT_FALSE(fs::exists(dir_ + "/spare/7"));
  EXPECT_FALSE(fs::exists(dir_ + "/spare/junk"));
  // New spares get names that do not collide with the adopted one.
  pool.Recycle(Write("a", "x"));
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ + "/spare/3"));
}

TEST_F(JournalPoolTest, TwoProcessesSharingTheDirectoryKeepTheirSpares) {
  JournalPool agent(dir_ + "/spare", 4), embedded(dir_ + "/spare", 4);
  agent.Recycle(Write("a", "x"));
  embedded.Recycle(Write("b", "y"));
  size_t files = 0;
  for (const auto& d : fs::directory_iterator(dir_ + "/spare")) {
    files += d.is_regular_file();
  }
  EXPECT_EQ(files, 2u);
  absl::Status error;
  EXPECT_TRUE(agent.TakeAs(dir_ + "/run1.journal", &error));
  EXPECT_TRUE(embedded.TakeAs(dir_ + "/run2.journal", &error));
}

}  // namespace
}  // namespace dso
