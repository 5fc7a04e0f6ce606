#include "stages/deploy/command.h"

#include <cstdlib>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(RunCommand, CollectsOutputAndExitCode) {
  auto r = RunCommand({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"},
                      absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_THAT(r->output, HasSubstr("out"));
  EXPECT_THAT(r->output, HasSubstr("err"));
}

TEST(RunCommand, EnvironmentEntriesReplaceInheritedOnes) {
  setenv("DSO_COMMAND_TEST", "inherited", 1);
  auto r = RunCommand({"/bin/sh", "-c", "env | grep ^DSO_COMMAND_TEST="},
                      absl::Seconds(10), {"DSO_COMMAND_TEST=mine"});
  unsetenv("DSO_COMMAND_TEST");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->output, "DSO_COMMAND_TEST=mine\n");
}

TEST(RunCommand, PassesOnlyStandardDescriptors) {
  auto r = RunCommand({"/bin/sh", "-c", "ls /proc/$$/fd"}, absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->output, "0\n1\n2\n");
}

TEST(RunCommand, DeadlineKillsTheWholeGroup) {
  auto r = RunCommand({"/bin/sh", "-c", "sleep 31.25 & sleep 30"},
                      absl::Milliseconds(300));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  // The background child went with the shell (SIGKILL to the group).
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = system("pgrep -f 'sleep 31[.]25' >/dev/null") != 0;
    if (!gone) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(gone);
}

}  // namespace
}  // namespace dso
