#include "stages/core/internal/exec_step.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/fake_step_context.h"
#include "stages/core/internal/noop_step.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

dso::v1::RunStepRequest Exec(std::vector<std::string> argv) {
  dso::v1::RunStepRequest r;
  r.set_step("exec");
  for (auto& a : argv) r.mutable_exec()->add_argv(a);
  return r;
}

TEST(ExecStepTest, DescribesTheCommand) {
  EXPECT_EQ(ExecStep().Describe(Exec({"make", "-j2", "test"})),
            "exec: make -j2 test");
  dso::v1::RunStepRequest noop;
  noop.set_step("noop");
  EXPECT_EQ(NoopStep().Describe(noop), "noop");  // the default: the name
}

TEST(ExecStepTest, StreamsStdoutAndStderrAndSucceeds) {
  ExecStep step;
  FakeStepContext ctx;
  auto req = Exec({"sh", "-c", "echo one; echo two >&2; printf tail"});
  ASSERT_TRUE(step.Validate(req).ok());
  dso::v1::Result r = step.Run(req, ctx);
  EXPECT_EQ(r.outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(ctx.LogText(dso::v1::LogLine::STDOUT), "one\ntail\n");
  EXPECT_EQ(ctx.LogText(dso::v1::LogLine::STDERR), "two\n");
}

TEST(ExecStepTest, CommandGetsOnlyTheStandardDescriptors) {
  ExecStep step;
  FakeStepContext ctx;
  dso::v1::Result r = step.Run(Exec({"sh", "-c", "ls /proc/$$/fd"}), ctx);
  EXPECT_EQ(r.outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(ctx.LogText(dso::v1::LogLine::STDOUT), "0\n1\n2\n");
}

TEST(ExecStepTest, NonZeroExitIsPolicyFailureWithExitCode) {
  ExecStep step;
  FakeStepContext ctx;
  dso::v1::Result r = step.Run(Exec({"sh", "-c", "exit 7"}), ctx);
  EXPECT_EQ(r.outcome(), dso::v1::POLICY_FAILED);
  EXPECT_EQ(r.exit_code(), 7);
  EXPECT_THAT(r.message(), HasSubstr("status 7"));
}

TEST(ExecStepTest, MissingCommandIsAnErrorNamingIt) {
  ExecStep step;
  FakeStepContext ctx;
  dso::v1::Result r = step.Run(Exec({"no-such-command-dso"}), ctx);
  EXPECT_EQ(r.outcome(), dso::v1::ERROR);
  EXPECT_EQ(r.error_code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(r.message(), HasSubstr("no-such-command-dso"));
}

TEST(ExecStepTest, EmptyArgvAndBadCollectPathsAreRejected) {
  ExecStep step;
  EXPECT_FALSE(step.Validate(Exec({})).ok());
  auto req = Exec({"true"});
  req.mutable_exec()->add_collect("../etc/passwd");
  EXPECT_THAT(std::string(step.Validate(req).message()), HasSubstr(".."));
}

TEST(ExecStepTest, EnvAndWorkdirAreApplied) {
  ExecStep step;
  FakeStepContext ctx;
  auto req = Exec({"sh", "-c", "echo $GREETING; pwd"});
  (*req.mutable_exec()->mutable_env())["GREETING"] = "hello";
  req.mutable_exec()->mutable_workdir()->set_local_path("/");
  ASSERT_EQ(step.Run(req, ctx).outcome(), dso::v1::SUCCEEDED);
  EXPECT_EQ(ctx.LogText(dso::v1::LogLine::STDOUT), "hello\n/\n");
}

TEST(ExecStepTest, InvalidUtf8IsReplaced) {
  ExecStep step;
  FakeStepContext ctx;
  ASSERT_EQ(step.Run(Exec({"printf", "a\\377b\\n"}), ctx).outcome(),
            dso::v1::SUCCEEDED);
  EXPECT_EQ(ctx.LogText(dso::v1::LogLine::STDOUT),
            "a\xEF\xBF\xBD"
            "b\n");
}

// Alive and not a zombie waiting for its (re)parent to reap it.
bool ProcessExists(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() &&
         line[paren + 2] != 'Z';
}

TEST(ExecStepTest, CancelKillsTheWholeProcessGroup) {
  ExecStep step;
  FakeStepContext ctx;
  std::string pidfile = ctx.scratch_dir() + "/pid";
  // The shell ignores SIGTERM, so only SIGKILL after the grace period ends
  // it; the background sleep must go too.
  auto req = Exec({"sh", "-c",
                   "trap '' TERM; sleep 60 & echo $! > " + pidfile +
                       "; echo started; wait"});
  req.mutable_exec()->set_kill_grace_seconds(1);
  std::thread canceller([&] {
    while (ctx.LogText(dso::v1::LogLine::STDOUT).empty()) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    ctx.token().Cancel(CancelReason::kRequested, "cancelled by test");
  });
  absl::Time start = absl::Now();
  dso::v1::Result r = step.Run(req, ctx);
  canceller.join();
  EXPECT_EQ(r.outcome(), dso::v1::CANCELLED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  std::ifstream in(pidfile);
  std::string line;
  std::getline(in, line);
  int child = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line, &child)) << line;
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(ProcessExists(child)) << "background child survived";
  EXPECT_THAT(ctx.LogText(dso::v1::LogLine::AGENT), HasSubstr("SIGTERM"));
}

TEST(ExecStepTest, LeftoverBackgroundProcessDoesNotHangTheStep) {
  ExecStep step;
  FakeStepContext ctx;
  absl::Time start = absl::Now();
  dso::v1::Result r = step.Run(Exec({"sh", "-c", "sleep 30 & echo bye"}), ctx);
  EXPECT_EQ(r.outcome(), dso::v1::SUCCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(ctx.LogText(dso::v1::LogLine::STDOUT), "bye\n");
}

TEST(ExecStepTest, CollectsFilesAsArtifacts) {
  ExecStep step;
  FakeStepContext ctx;
  auto req = Exec({"sh", "-c", "printf abc > out.txt"});
  req.mutable_exec()->add_collect("out.txt");
  req.mutable_exec()->add_collect("missing.txt");
  dso::v1::Result r = step.Run(req, ctx);
  ASSERT_EQ(r.outcome(), dso::v1::SUCCEEDED);
  ASSERT_EQ(r.artifacts_size(), 1);
  EXPECT_EQ(r.artifacts(0).name(), "out.txt");
  EXPECT_EQ(r.artifacts(0).size(), 3u);
  EXPECT_EQ(r.artifacts(0).digest(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
            "0015ad");
  EXPECT_THAT(ctx.LogText(dso::v1::LogLine::AGENT), HasSubstr("missing.txt"));
}

TEST(ExecStepTest, LargeOutputArrivesWhole) {
  ExecStep step;
  FakeStepContext ctx;
  ASSERT_EQ(step.Run(Exec({"sh", "-c", "seq 1 200000"}), ctx).outcome(),
            dso::v1::SUCCEEDED);
  std::string out = ctx.LogText(dso::v1::LogLine::STDOUT);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 200000);
  EXPECT_TRUE(absl::EndsWith(out, "\n199999\n200000\n"));
}

}  // namespace
}  // namespace dso
