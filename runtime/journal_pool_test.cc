#include "runtime/journal_pool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/journal.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
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
  // A finished run's journal: its start event, then `log_bytes` of output.
  std::string Journal(const std::string& name, const std::string& run_id,
                      size_t log_bytes = 100) {
    std::string path = dir_ + "/" + name;
    auto w = JournalWriter::Create(path).value();
    dso::v1::Event e;
    e.set_run_id(run_id);
    e.set_seq(1);
    e.mutable_started()->mutable_run()->set_id(run_id);
    EXPECT_TRUE(w->Append(e).ok());
    e.set_seq(2);
    e.mutable_log()->set_text(std::string(log_bytes, 'x'));
    EXPECT_TRUE(w->Append(e).ok());
    return path;
  }
  static bool IsFree(const std::string& path) {
    return ReadJournalEnds(path).value().free;
  }
  size_t Files() const {
    size_t n = 0;
    for (const auto& d : fs::directory_iterator(dir_)) n += d.exists();
    return n;
  }
  std::string dir_;
};

TEST_F(JournalPoolTest, APrunedRunsJournalIsMarkedFreeAndTakenAgain) {
  JournalPool pool(dir_, 4);
  std::string path = Journal("1.journal", "old");
  pool.Recycle(path, "old");
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_TRUE(IsFree(path));
  // Its bytes stay, to be overwritten (no blocks freed and allocated
  // again), and it ends at a block boundary.
  EXPECT_EQ(fs::file_size(path), 4096u);
  auto taken = pool.Take().value();
  EXPECT_EQ(taken.path, path);
  EXPECT_EQ(pool.size(), 0u);
  // Written through the pool's descriptor, from the start.
  auto w = JournalWriter::Reuse(taken.path, taken.fd);
  dso::v1::Event e;
  e.set_run_id("new");
  e.mutable_started()->mutable_run()->set_id("new");
  ASSERT_TRUE(w->Append(e).ok());
  EXPECT_EQ(ReadJournalEnds(path).value().first.run_id(), "new");
}

TEST_F(JournalPoolTest, AnEmptyPoolCreatesNewLockedJournals) {
  JournalPool pool(dir_, 4);
  auto a = pool.Take().value();
  auto b = pool.Take().value();
  EXPECT_NE(a.path, b.path);
  EXPECT_EQ(fs::path(a.path).extension(), ".journal");
  EXPECT_EQ(fs::file_size(a.path), 0u);
  EXPECT_TRUE(IsFree(a.path));
  int other = open(a.path.c_str(), O_RDONLY);
  EXPECT_NE(flock(other, LOCK_EX | LOCK_NB), 0);  // held by the pool's fd
  close(other);
  close(a.fd);
  close(b.fd);
}

TEST_F(JournalPoolTest, ALargeJournalIsEmptiedBeforeItIsKept) {
  JournalPool pool(dir_, 4);
  std::string path = Journal("1.journal", "big", JournalPool::kKeepBytes);
  pool.Recycle(path, "big");
  EXPECT_EQ(fs::file_size(path), 0u);
  EXPECT_EQ(pool.Take().value().path, path);
}

TEST_F(JournalPoolTest, AJournalThatHoldsAnotherRunIsLeftAlone) {
  // Another process pruned it first and a new run of its took it over.
  JournalPool pool(dir_, 4);
  std::string path = Journal("1.journal", "newer");
  std::string before = ReadFile(path).value();
  pool.Recycle(path, "pruned");
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(ReadFile(path).value(), before);
}

TEST_F(JournalPoolTest, AJournalAnotherProcessHoldsIsLeftAlone) {
  JournalPool pool(dir_, 4);
  std::string path = Journal("1.journal", "old");
  std::string before = ReadFile(path).value();
  int other = open(path.c_str(), O_RDONLY);  // its own open file: its lock
  ASSERT_EQ(flock(other, LOCK_EX | LOCK_NB), 0);
  pool.Recycle(path, "old");
  pool.AdoptFree(path);
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(ReadFile(path).value(), before);
  close(other);
}

TEST_F(JournalPoolTest, TwoPoolsNeverHoldTheSameJournal) {
  JournalPool agent(dir_, 4), embedded(dir_, 4);
  std::string path = Journal("1.journal", "old");
  agent.Recycle(path, "old");
  embedded.Recycle(path, "old");  // both had the run to prune
  embedded.AdoptFree(path);       // and it looks free on disk
  EXPECT_EQ(agent.size(), 1u);
  EXPECT_EQ(embedded.size(), 0u);
}

TEST_F(JournalPoolTest, BeyondCapacityJournalsAreDeleted) {
  JournalPool pool(dir_, 2);
  for (int i = 0; i < 5; ++i) {
    std::string id = "run" + std::to_string(i);
    pool.Recycle(Journal(id + ".journal", id), id);
  }
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(Files(), 2u);
}

TEST_F(JournalPoolTest, FreeJournalsFoundAtStartupAreAdopted) {
  JournalPool pool(dir_, 4);
  std::string held = Journal("1.journal", "kept");
  std::ofstream(dir_ + "/2.journal");  // empty: free
  pool.AdoptFree(held);
  pool.AdoptFree(dir_ + "/2.journal");
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(ReadJournalEnds(held).value().first.run_id(), "kept");
  EXPECT_EQ(pool.Take().value().path, dir_ + "/2.journal");
}

TEST_F(JournalPoolTest, AFreeJournalUnlinkedMeanwhileIsNotTaken) {
  JournalPool pool(dir_, 4);
  std::string path = Journal("1.journal", "old");
  pool.Recycle(path, "old");
  fs::remove(path);
  auto taken = pool.Take().value();
  EXPECT_NE(taken.path, path);
  EXPECT_TRUE(fs::exists(taken.path));
  close(taken.fd);
}

}  // namespace
}  // namespace dso
