#include "runtime/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

dso::v1::Event LogEvent(uint64_t seq, const std::string& text) {
  dso::v1::Event e;
  e.set_seq(seq);
  e.mutable_log()->set_text(text);
  return e;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("journal");
    ASSERT_FALSE(dir_.empty());
    path_ = dir_ + "/events.log";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<dso::v1::Event> ReadAll(uint64_t* corrupt = nullptr) {
    auto r = JournalReader::Open(path_).value();
    std::vector<dso::v1::Event> out;
    dso::v1::Event e;
    while (r->Next(UINT64_MAX, &e)) out.push_back(e);
    if (corrupt) *corrupt = r->corrupt_records();
    return out;
  }
  std::string dir_, path_;
};

TEST_F(JournalTest, CreateRefusesAnExistingFile) {
  ASSERT_TRUE(JournalWriter::Create(path_).ok());
  EXPECT_EQ(JournalWriter::Create(path_).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(JournalTest, AppendsAndReadsBack) {
  auto w = JournalWriter::Create(path_).value();
  for (int i = 1; i <= 100; ++i) {
    ASSERT_TRUE(w->Append(LogEvent(i, std::string(i * 10, 'x'))).ok());
  }
  ASSERT_TRUE(w->Sync().ok());
  auto events = ReadAll();
  ASSERT_EQ(events.size(), 100u);
  EXPECT_EQ(events[41].seq(), 42u);
  EXPECT_EQ(events[41].log().text().size(), 420u);
}

TEST_F(JournalTest, ReaderStopsAtTheLimitAndContinuesLater) {
  auto w = JournalWriter::Open(path_).value();
  ASSERT_TRUE(w->Append(LogEvent(1, "a")).ok());
  uint64_t first = w->size();
  ASSERT_TRUE(w->Append(LogEvent(2, "b")).ok());
  auto r = JournalReader::Open(path_).value();
  dso::v1::Event e;
  ASSERT_TRUE(r->Next(first, &e));
  EXPECT_EQ(e.seq(), 1u);
  EXPECT_FALSE(r->Next(first, &e));
  ASSERT_TRUE(r->Next(w->size(), &e));
  EXPECT_EQ(e.seq(), 2u);
}

TEST_F(JournalTest, DamagedRecordIsSkippedAndTheRestKept) {
  {
    auto w = JournalWriter::Open(path_).value();
    for (int i = 1; i <= 3; ++i)
      ASSERT_TRUE(w->Append(LogEvent(i, "payload")).ok());
  }
  std::string bytes = ReadFile(path_).value();
  bytes[bytes.size() / 2] ^= 0x5A;  // inside the second record
  ASSERT_TRUE(WriteFileAtomically(path_, bytes).ok());
  uint64_t corrupt = 0;
  auto events = ReadAll(&corrupt);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].seq(), 1u);
  EXPECT_EQ(events[1].seq(), 3u);
  EXPECT_GE(corrupt, 1u);
}

TEST_F(JournalTest, GarbageFileYieldsNothingAndDoesNotCrash) {
  ASSERT_TRUE(WriteFileAtomically(path_, std::string(5000, '\xD5')).ok());
  uint64_t corrupt = 0;
  EXPECT_TRUE(ReadAll(&corrupt).empty());
}

TEST_F(JournalTest, TornTailIsCutWhenReopened) {
  uint64_t whole;
  {
    auto w = JournalWriter::Open(path_).value();
    ASSERT_TRUE(w->Append(LogEvent(1, "whole")).ok());
    whole = w->size();
  }
  {
    // Half a record, as a crash in the middle of a write would leave.
    std::string bytes = ReadFile(path_).value();
    ASSERT_TRUE(WriteFileAtomically(path_, bytes + bytes.substr(0, 9)).ok());
  }
  auto w = JournalWriter::Open(path_).value();
  EXPECT_EQ(w->size(), whole);
  ASSERT_TRUE(w->Append(LogEvent(2, "after")).ok());
  auto events = ReadAll();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].log().text(), "after");
  auto s = SummarizeJournal(path_).value();
  EXPECT_EQ(s.last_seq, 2u);
  EXPECT_FALSE(s.has_result);
}

}  // namespace
}  // namespace dso

namespace dso {
namespace {

TEST_F(JournalTest, EndsAreReadWithoutTheMiddle) {
  {
    auto w = JournalWriter::Open(path_).value();
    for (int i = 1; i <= 50; ++i) {
      ASSERT_TRUE(w->Append(LogEvent(i, std::string(100000, 'm'))).ok());
    }
  }
  auto ends = ReadJournalEnds(path_).value();
  ASSERT_TRUE(ends.has_first && ends.has_last);
  EXPECT_EQ(ends.first.seq(), 1u);
  EXPECT_EQ(ends.last.seq(), 50u);
  // A torn tail: no last record that ends at EOF.
  std::string bytes = ReadFile(path_).value();
  ASSERT_TRUE(  // the end mark and 3 bytes of the last record
      WriteFileAtomically(path_, bytes.substr(0, bytes.size() - 15)).ok());
  ends = ReadJournalEnds(path_).value();
  EXPECT_TRUE(ends.has_first);
  EXPECT_FALSE(ends.has_last && ends.last.seq() == 50u);
}

dso::v1::Event RunEvent(const std::string& run, uint64_t seq, size_t bytes) {
  dso::v1::Event e = LogEvent(seq, std::string(bytes, 'r'));
  e.set_run_id(run);
  return e;
}

TEST_F(JournalTest, AReusedFileYieldsOnlyTheNewRunsRecords) {
  {
    auto w = JournalWriter::Create(path_).value();
    for (int i = 1; i <= 40; ++i)
      ASSERT_TRUE(w->Append(RunEvent("old", i, 500)).ok());
  }
  uint64_t old_size = fs::file_size(path_);
  auto w = JournalWriter::Reuse(path_, open(path_.c_str(), O_WRONLY));
  ASSERT_TRUE(w->Append(RunEvent("new", 1, 10)).ok());
  ASSERT_TRUE(w->Append(RunEvent("new", 2, 700)).ok());
  ASSERT_TRUE(w->Sync().ok());
  EXPECT_EQ(fs::file_size(path_), old_size);  // overwritten, not emptied
  uint64_t corrupt = 99;
  auto events = ReadAll(&corrupt);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].log().text().size(), 700u);
  EXPECT_EQ(corrupt, 0u);
  auto s = SummarizeJournal(path_).value();
  EXPECT_EQ(s.last_seq, 2u);
  EXPECT_EQ(s.good_end, w->size());
  auto ends = ReadJournalEnds(path_).value();
  ASSERT_TRUE(ends.has_first && ends.has_last);
  EXPECT_EQ(ends.first.run_id(), "new");
  EXPECT_EQ(ends.last.run_id(), "new");
  EXPECT_EQ(ends.last.seq(), 2u);
}

TEST_F(JournalTest, AFreedJournalHoldsNoRunUntilANewOneIsWritten) {
  int fd = open(path_.c_str(), O_RDWR | O_CREAT, 0600);
  EXPECT_EQ(JournalRunId(fd, path_).value(), "");  // empty: free
  EXPECT_TRUE(ReadJournalEnds(path_).value().free);
  {
    auto w = JournalWriter::Create(path_ + ".2").value();
    ASSERT_TRUE(w->Append(RunEvent("old", 1, 10)).ok());
    ASSERT_TRUE(w->Append(RunEvent("old", 2, 10)).ok());
  }
  fs::rename(path_ + ".2", path_);
  close(fd);
  fd = open(path_.c_str(), O_RDWR);
  EXPECT_EQ(JournalRunId(fd, path_).value(), "old");
  EXPECT_FALSE(ReadJournalEnds(path_).value().free);
  ASSERT_TRUE(MarkJournalFree(fd));
  EXPECT_EQ(JournalRunId(fd, path_).value(), "");
  auto ends = ReadJournalEnds(path_).value();
  EXPECT_TRUE(ends.free);
  EXPECT_FALSE(ends.has_first);
  EXPECT_TRUE(ReadAll().empty());
  auto w = JournalWriter::Reuse(path_, fd);
  ASSERT_TRUE(w->Append(RunEvent("new", 1, 10)).ok());
  EXPECT_EQ(ReadAll().size(), 1u);
  EXPECT_EQ(ReadJournalEnds(path_).value().first.run_id(), "new");
}

TEST_F(JournalTest, ADamagedFirstRecordIsNoRun) {
  {
    auto w = JournalWriter::Create(path_).value();
    ASSERT_TRUE(w->Append(RunEvent("r", 1, 10)).ok());
  }
  std::string bytes = ReadFile(path_).value();
  bytes[14] ^= 0x55;
  ASSERT_TRUE(WriteFileAtomically(path_, bytes).ok());
  int fd = open(path_.c_str(), O_RDONLY);
  EXPECT_EQ(JournalRunId(fd, path_).status().code(),
            absl::StatusCode::kDataLoss);
  close(fd);
}

TEST_F(JournalTest, AReaderAtTheEndMarkSeesTheNextAppend) {
  auto w = JournalWriter::Create(path_).value();
  ASSERT_TRUE(w->Append(RunEvent("r", 1, 10)).ok());
  auto r = JournalReader::Open(path_).value();
  dso::v1::Event e;
  ASSERT_TRUE(r->Next(UINT64_MAX, &e));
  EXPECT_FALSE(r->Next(UINT64_MAX, &e));
  ASSERT_TRUE(w->Append(RunEvent("r", 2, 10)).ok());
  ASSERT_TRUE(r->Next(UINT64_MAX, &e));
  EXPECT_EQ(e.seq(), 2u);
  EXPECT_FALSE(r->foreign());
}

TEST_F(JournalTest, AReaderStopsAtAnotherRunsRecord) {
  auto w = JournalWriter::Create(path_).value();
  ASSERT_TRUE(w->Append(RunEvent("mine", 1, 10)).ok());
  ASSERT_TRUE(w->Append(RunEvent("other", 2, 10)).ok());
  auto r = JournalReader::Open(path_).value();
  dso::v1::Event e;
  ASSERT_TRUE(r->Next(UINT64_MAX, &e));
  EXPECT_FALSE(r->Next(UINT64_MAX, &e));
  EXPECT_TRUE(r->foreign());
  auto expecting = JournalReader::Open(path_, "other").value();
  EXPECT_FALSE(expecting->Next(UINT64_MAX, &e));
  EXPECT_TRUE(expecting->foreign());
}

}  // namespace
}  // namespace dso
