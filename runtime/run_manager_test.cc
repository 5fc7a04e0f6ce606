#include "runtime/run_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/journal.h"
#include "runtime/run_entry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"
#include "stages/files/tar_dir.h"

namespace dso {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

dso::v1::RunStepRequest Exec(std::vector<std::string> argv,
                             std::string key = "") {
  dso::v1::RunStepRequest r;
  r.set_step("exec");
  r.set_idempotency_key(key);
  for (auto& a : argv) r.mutable_exec()->add_argv(a);
  return r;
}

class RunManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("runs");
    ASSERT_FALSE(dir_.empty());
    ASSERT_TRUE(RegisterCoreSteps(steps_).ok());
    store_ = std::move(BlobStore::Open(dir_ + "/store").value());
    options_.data_dir = dir_;
    options_.max_concurrent_runs = 2;
    options_.kill_grace = absl::Seconds(1);
    options_.allowed_roots = {dir_};
    Restart();
  }
  void TearDown() override {
    manager_.reset();
    fs::remove_all(dir_);
  }
  void Restart() {
    manager_.reset();
    manager_ = std::move(
        RunManager::Create(options_, &steps_, store_.get(), &metrics_).value());
  }
  // Follows a run to its end and returns all events.
  std::vector<dso::v1::Event> FollowAll(const std::string& id,
                                        uint64_t from = 1) {
    std::vector<dso::v1::Event> events;
    absl::Status s = manager_->Follow(
        id, from,
        [&](const dso::v1::Event& e) {
          events.push_back(e);
          return true;
        },
        [] { return false; });
    EXPECT_TRUE(s.ok()) << s;
    return events;
  }
  dso::v1::Result ResultOf(const std::string& id) {
    auto events = FollowAll(id);
    return events.empty() ? dso::v1::Result() : events.back().result();
  }
  void WaitUntilRunning(const std::string& id, const std::string& marker) {
    for (int i = 0; i < 500 && !fs::exists(marker); ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  // What a killed agent leaves behind: a journal with the start event and
  // output but no result, a scratch directory, and nobody holding its lock.
  void WriteCrashedRun(const std::string& id) {
    std::string rd = dir_ + "/runs/" + id;
    fs::create_directories(rd + ".scratch");
    dso::v1::Run run;
    run.set_id(id);
    run.set_step("exec");
    run.set_state(dso::v1::RUNNING);
    run.mutable_created()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    auto w = JournalWriter::Open(rd + ".journal").value();
    dso::v1::Event started;
    started.set_seq(1);
    started.set_run_id(id);
    *started.mutable_started()->mutable_run() = run;
    ASSERT_TRUE(w->Append(started).ok());
    for (int i = 2; i <= 3; ++i) {
      dso::v1::Event e;
      e.set_seq(i);
      e.set_run_id(id);
      e.mutable_log()->set_text("line\n");
      ASSERT_TRUE(w->Append(e).ok());
    }
  }
  dso::v1::RunState JournalState(const std::string& id) {
    auto r = RunFromJournal(dir_ + "/runs/" + id + ".journal", id);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(dso::v1::Run()).state();
  }

  std::string dir_;
  StepRegistry steps_;
  std::unique_ptr<BlobStore> store_;
  AgentMetrics metrics_;
  RunManagerOptions options_;
  std::unique_ptr<RunManager> manager_;
};

TEST_F(RunManagerTest, RunsAStepAndJournalsEveryEventInOrder) {
  auto id = manager_->Start(Exec({"sh", "-c", "echo one; echo two"}), "tester");
  ASSERT_TRUE(id.ok()) << id.status();
  auto events = FollowAll(*id);
  ASSERT_GE(events.size(), 3u);
  EXPECT_TRUE(events.front().has_started());
  EXPECT_EQ(events.front().started().run().identity(), "tester");
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq(), i + 1);
    EXPECT_EQ(events[i].run_id(), *id);
  }
  EXPECT_EQ(events.back().result().outcome(), dso::v1::SUCCEEDED);
  auto run = manager_->Get(*id).value();
  EXPECT_EQ(run.state(), dso::v1::FINISHED);
  EXPECT_EQ(run.last_seq(), events.size());
  EXPECT_FALSE(fs::exists(dir_ + "/runs/" + *id + ".scratch"));
}

TEST_F(RunManagerTest, FollowFromASequenceNumberReplaysTheRest) {
  auto id = manager_->Start(Exec({"sh", "-c", "echo a; echo b"}), "t").value();
  auto all = FollowAll(id);
  auto tail = FollowAll(id, 3);
  ASSERT_EQ(tail.size(), all.size() - 2);
  EXPECT_EQ(tail.front().seq(), 3u);
  EXPECT_TRUE(tail.back().has_result());
  // Past the end, the result still comes.
  auto beyond = FollowAll(id, 1000);
  ASSERT_EQ(beyond.size(), 1u);
  EXPECT_TRUE(beyond[0].has_result());
}

TEST_F(RunManagerTest, FollowerOfALiveRunGetsEveryEventPastTheMemoryTail) {
  // Followers read a live run's events from memory until the run outgrows
  // RunEntry::kRecentBytes, then from the journal: no gap, no repeat.
  auto id = manager_->Start(
      Exec({"sh", "-c",
            "i=0; while [ $i -lt 40 ]; do head -c 30000 /dev/zero | tr '\\0' "
            "x; echo; i=$((i+1)); sleep 0.01; done"}),
      "t");
  ASSERT_TRUE(id.ok()) << id.status();
  auto events = FollowAll(*id);
  size_t bytes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].seq(), i + 1);
    if (events[i].has_log()) bytes += events[i].log().text().size();
  }
  EXPECT_GE(bytes, 40u * 30001u);
  EXPECT_GT(bytes, RunEntry::kRecentBytes);
  EXPECT_EQ(events.back().result().outcome(), dso::v1::SUCCEEDED);
  // After the run, the same events come from the journal.
  EXPECT_EQ(FollowAll(*id).size(), events.size());
}

TEST_F(RunManagerTest, SameIdempotencyKeyAttachesToTheSameRun) {
  auto req = Exec({"sh", "-c", "echo once >> " + dir_ + "/count"}, "k1");
  auto a = manager_->Start(req, "alice").value();
  auto b = manager_->Start(req, "alice").value();
  EXPECT_EQ(a, b);
  ResultOf(a);
  EXPECT_EQ(ReadFile(dir_ + "/count").value(), "once\n");
  // Another identity's key is its own.
  EXPECT_NE(manager_->Start(req, "bob").value(), a);
  // The same key for a different request is refused.
  auto other = manager_->Start(Exec({"true"}, "k1"), "alice");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  // And it survives a restart.
  Restart();
  EXPECT_EQ(manager_->Start(req, "alice").value(), a);
}

TEST_F(RunManagerTest, ConcurrencyLimitRefusesWithAClearMessage) {
  std::string m1 = dir_ + "/m1", m2 = dir_ + "/m2";
  auto r1 =
      manager_->Start(Exec({"sh", "-c", "touch " + m1 + "; sleep 30"}), "t");
  auto r2 =
      manager_->Start(Exec({"sh", "-c", "touch " + m2 + "; sleep 30"}), "t");
  ASSERT_TRUE(r1.ok() && r2.ok());
  auto r3 = manager_->Start(Exec({"true"}), "t");
  EXPECT_EQ(r3.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r3.status().message()),
              HasSubstr("2 of its 2 allowed runs"));
  EXPECT_THAT(metrics_.Render(), HasSubstr("dso_run_rejections_total 1"));
  ASSERT_TRUE(manager_->Cancel(*r1, "test").ok());
  ASSERT_TRUE(manager_->Cancel(*r2, "test").ok());
  EXPECT_EQ(ResultOf(*r1).outcome(), dso::v1::CANCELLED);
  EXPECT_EQ(ResultOf(*r2).outcome(), dso::v1::CANCELLED);
  // A slot is free again once a run ended.
  for (int i = 0; i < 100 && manager_->active_runs() > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(manager_->Start(Exec({"true"}), "t").ok());
}

TEST_F(RunManagerTest, DeadlineStopsTheRunAsAnError) {
  auto req = Exec({"sleep", "30"});
  req.set_deadline_seconds(1);
  absl::Time start = absl::Now();
  auto r = ResultOf(manager_->Start(req, "t").value());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(r.outcome(), dso::v1::ERROR);
  EXPECT_EQ(r.error_code(),
            static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(r.message(), HasSubstr("deadline exceeded"));
}

TEST_F(RunManagerTest, RequestedDeadlineIsCappedByTheAgent) {
  options_.max_deadline = absl::Seconds(1);
  Restart();
  auto req = Exec({"sleep", "30"});
  req.set_deadline_seconds(3600);
  EXPECT_EQ(ResultOf(manager_->Start(req, "t").value()).outcome(),
            dso::v1::ERROR);
}

TEST_F(RunManagerTest, OldRunsArePrunedByAge) {
  options_.retention_max_age = absl::Seconds(1);
  Restart();
  auto id = manager_->Start(Exec({"true"}), "t").value();
  ResultOf(id);
  absl::SleepFor(absl::Milliseconds(1100));
  Restart();
  EXPECT_EQ(manager_->Get(id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RunManagerTest, UnknownStepAndBadParamsAreRefusedBeforeARunExists) {
  dso::v1::RunStepRequest req;
  req.set_step("nope");
  EXPECT_EQ(manager_->Start(req, "t").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_->Start(Exec({}), "t").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(manager_->List(0).empty());
}

TEST_F(RunManagerTest, CrashedRunBecomesInterruptedWithHistoryIntact) {
  std::string id = "20260101-000000-deadbeef";
  std::string rd = dir_ + "/runs/" + id;
  WriteCrashedRun(id);
  Restart();
  auto got = manager_->Get(id).value();
  EXPECT_EQ(got.state(), dso::v1::FINISHED);
  EXPECT_EQ(got.outcome(), dso::v1::INTERRUPTED);
  auto events = FollowAll(id);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].seq(), 4u);
  EXPECT_EQ(events[3].result().outcome(), dso::v1::INTERRUPTED);
  EXPECT_FALSE(fs::exists(rd + ".scratch"));
}

TEST_F(RunManagerTest, ALazyStartReadsEarlierRunsOnlyWhenNeeded) {
  auto earlier = manager_->Start(Exec({"true"}), "t").value();
  FollowAll(earlier);
  WriteCrashedRun("20260101-000000-0000cafe");
  options_.load_runs_lazily = true;
  // Housekeeping ran a moment ago (and tallied no journals): nothing is
  // read at start.
  std::ofstream(dir_ + "/runs/.housekeeping").close();
  std::ofstream(dir_ + "/runs/.journals").close();
  Restart();
  EXPECT_EQ(JournalState("20260101-000000-0000cafe"), dso::v1::RUNNING);
  auto id = manager_->Start(Exec({"true"}), "t").value();
  EXPECT_EQ(ResultOf(id).outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(JournalState("20260101-000000-0000cafe"), dso::v1::RUNNING);
  // A run this process did not start: the data dir's runs are read, the
  // crashed one closed as a full start would have.
  EXPECT_EQ(manager_->Get(earlier)->outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(JournalState("20260101-000000-0000cafe"), dso::v1::FINISHED);
  EXPECT_EQ(manager_->List(0).size(), 3u);
}

// At the retention limit a lazy start does not read every run, nor list
// them: only once the tally of journals (runs/.journals) is kSlack past it
// (retention, the free pool, the slack).
TEST_F(RunManagerTest, ALazyStartPrunesOnlyWellPastTheRetentionLimit) {
  constexpr int kFree = 64, kSlack = 64;
  options_.load_runs_lazily = true;
  options_.retention_max_runs = 2;
  Restart();  // no record of housekeeping: due; the journals tallied
  std::string tally = dir_ + "/runs/.journals";
  auto size = [&] { return static_cast<int>(fs::file_size(tally)); };
  int tallied = size();
  // A run started lazily adds to the tally.
  FollowAll(manager_->Start(Exec({"true"}), "t").value());
  EXPECT_EQ(size(), tallied + 1);
  WriteCrashedRun("20260101-000000-0000cafe");
  // As many journals past retention as the slack allows: nothing read.
  std::ofstream(tally, std::ios::app)
      << std::string(2 + kFree + kSlack - size(), '.');
  Restart();
  EXPECT_EQ(JournalState("20260101-000000-0000cafe"), dso::v1::RUNNING);
  // One more: every run read, pruned to retention, the tally recounted.
  std::ofstream(tally, std::ios::app) << ".";
  Restart();
  EXPECT_LE(size(), 2 + kFree);
}

TEST_F(RunManagerTest, ALazyStartStillHousekeepsWhenDue) {
  WriteCrashedRun("20260101-000000-0000cafe");
  options_.load_runs_lazily = true;
  Restart();  // no record of housekeeping: due
  EXPECT_EQ(JournalState("20260101-000000-0000cafe"), dso::v1::FINISHED);
  EXPECT_TRUE(fs::exists(dir_ + "/runs/.housekeeping"));
  // An idempotency key may name an earlier run: found, though not read at
  // start.
  auto first = manager_->Start(Exec({"true"}, "k"), "t").value();
  FollowAll(first);
  Restart();
  EXPECT_EQ(manager_->Start(Exec({"true"}, "k"), "t").value(), first);
}

TEST_F(RunManagerTest, ARunAnotherProcessPrunedIsForgotten) {
  // Another process sharing the data dir executes a run: it holds the
  // journal's lock.
  std::string id = "20260101-000000-0000f00d";
  std::string path = dir_ + "/runs/other.journal";
  {
    auto w = JournalWriter::Create(path).value();
    dso::v1::Event started;
    started.set_seq(1);
    started.set_run_id(id);
    auto* run = started.mutable_started()->mutable_run();
    run->set_id(id);
    run->set_step("exec");
    run->set_state(dso::v1::RUNNING);
    ASSERT_TRUE(w->Append(started).ok());
  }
  int fd = open(path.c_str(), O_RDWR);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  Restart();
  EXPECT_EQ(manager_->Get(id)->state(), dso::v1::RUNNING);
  EXPECT_EQ(manager_->Cancel(id, "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // It finished there and was pruned: its journal is free now.
  ASSERT_TRUE(MarkJournalFree(fd));
  EXPECT_EQ(manager_->Get(id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(manager_->List(0).empty());
  EXPECT_EQ(manager_->Cancel(id, "").status().code(),
            absl::StatusCode::kNotFound);
  close(fd);
}

TEST_F(RunManagerTest, FinishedRunsAreRecoveredFromTheirJournals) {
  auto id = manager_->Start(Exec({"echo", "hi"}), "t").value();
  auto before = FollowAll(id);
  Restart();
  auto run = manager_->Get(id).value();
  EXPECT_EQ(run.state(), dso::v1::FINISHED);
  EXPECT_EQ(run.outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(run.last_seq(), before.size());
  EXPECT_EQ(run.identity(), "t");
  EXPECT_EQ(FollowAll(id).size(), before.size());
}

TEST_F(RunManagerTest, DamagedJournalIsSkippedNotFatal) {
  std::string rd = dir_ + "/runs/garbage";
  ASSERT_TRUE(WriteFileAtomically(rd + ".journal", "\xD5 not records").ok());
  {
    // A journal whose first record is not a start event.
    auto w = JournalWriter::Create(dir_ + "/runs/headless.journal").value();
    dso::v1::Event log;
    log.set_seq(2);
    log.set_run_id("r");
    log.mutable_log()->set_text("line\n");
    ASSERT_TRUE(w->Append(log).ok());
  }
  fs::create_directories(dir_ + "/runs/gone.scratch");  // of no run
  Restart();
  EXPECT_TRUE(manager_->List(0).empty());
  EXPECT_FALSE(fs::exists(dir_ + "/runs/gone.scratch"));
  auto id = manager_->Start(Exec({"true"}), "t");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(ResultOf(*id).outcome(), dso::v1::SUCCEEDED);
  // Neither was taken over by the new run.
  EXPECT_EQ(ReadFile(rd + ".journal").value(), "\xD5 not records");
  EXPECT_TRUE(
      ReadJournalEnds(dir_ + "/runs/headless.journal").value().first.has_log());
}

TEST_F(RunManagerTest, OldRunsArePrunedByCount) {
  options_.retention_max_runs = 2;
  Restart();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    // Longer journals than the run that reuses one below leaves.
    ids.push_back(manager_->Start(Exec({"seq", "3000"}), "t").value());
    ResultOf(ids.back());
    absl::SleepFor(absl::Milliseconds(20));
  }
  Restart();
  auto runs = manager_->List(0);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id(), ids[3]);
  // The pruned runs' journals were kept, free, and found again at the
  // restart; a new run takes one over and it holds its own events only.
  std::map<std::string, std::string> held;  // run id -> journal; "" free
  for (const auto& d : fs::directory_iterator(dir_ + "/runs")) {
    if (d.path().extension() != ".journal") continue;
    auto ends = ReadJournalEnds(d.path()).value();
    held[d.path()] = ends.free ? "" : ends.first.run_id();
  }
  EXPECT_EQ(held.size(), 3u);  // the fourth run took over the first's
  std::set<std::string> kept;
  for (const auto& [path, id] : held) kept.insert(id);
  EXPECT_EQ(kept, (std::set<std::string>{"", ids[2], ids[3]}));
  auto id = manager_->Start(Exec({"sh", "-c", "echo mine"}), "t").value();
  auto events = FollowAll(id);
  std::string journal;
  for (const auto& [path, run] : held) {
    if (ReadJournalEnds(path).value().first.run_id() == id) journal = path;
  }
  ASSERT_FALSE(journal.empty());
  EXPECT_EQ(held[journal], "");  // a free one
  ASSERT_GE(events.size(), 3u);
  for (const auto& e : events) EXPECT_EQ(e.run_id(), id);
  Restart();  // and from the journal, after a restart
  auto run = manager_->Get(id).value();
  EXPECT_EQ(run.state(), dso::v1::FINISHED);
  EXPECT_EQ(run.outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(run.last_seq(), events.size());
  auto replayed = FollowAll(id);
  ASSERT_EQ(replayed.size(), events.size());
  EXPECT_EQ(replayed.front().started().run().id(), id);
  EXPECT_EQ(replayed.back().result().outcome(), dso::v1::SUCCEEDED);
  for (const auto& e : replayed) EXPECT_EQ(e.run_id(), id);
}

TEST_F(RunManagerTest, InputsOutsideAllowedRootsAreRefused) {
  auto req = Exec({"true"});
  req.mutable_exec()->mutable_workdir()->set_local_path("/etc");
  auto r = ResultOf(manager_->Start(req, "t").value());
  EXPECT_EQ(r.outcome(), dso::v1::ERROR);
  EXPECT_EQ(r.error_code(),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(r.message(), HasSubstr("outside the agent's allowed roots"));
}

TEST_F(RunManagerTest, TarInputIsUnpackedIntoScratch) {
  std::string src = MakeTempDir("runs-src");
  ASSERT_FALSE(src.empty());
  std::ofstream(src + "/hello.txt") << "from tar";
  auto w = store_->NewWriter().value();
  ASSERT_TRUE(PackDirectory(src, [&](absl::string_view d) {
                return w->Append(d);
              }).ok());
  auto blob = w->Commit("", std::nullopt).value();
  auto req = Exec({"cat", "hello.txt"});
  req.mutable_exec()->mutable_workdir()->set_tar_digest(blob.digest);
  auto id = manager_->Start(req, "t").value();
  auto events = FollowAll(id);
  std::string out;
  for (const auto& e : events) {
    if (e.has_log() && e.log().stream() == dso::v1::LogLine::STDOUT) {
      out += e.log().text();
    }
  }
  EXPECT_EQ(out, "from tar\n");
  EXPECT_EQ(events.back().result().outcome(), dso::v1::SUCCEEDED);
  fs::remove_all(src);
}

TEST_F(RunManagerTest, ShutdownInterruptsLiveRuns) {
  std::string marker = dir_ + "/started";
  auto id =
      manager_->Start(Exec({"sh", "-c", "touch " + marker + "; sleep 30"}), "t")
          .value();
  WaitUntilRunning(id, marker);
  manager_->Shutdown(absl::Milliseconds(100));
  EXPECT_EQ(manager_->Get(id)->outcome(), dso::v1::INTERRUPTED);
  EXPECT_EQ(manager_->Start(Exec({"true"}), "t").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace dso
