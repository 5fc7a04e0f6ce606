// How `dsoctl gate` turns a command line into its request (command_testing.h).
#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;

TEST_F(CommandTest, Gate) {
  ASSERT_EQ(Dsoctl({"gate", "--level", "3", "--report", dir_ + "/report.sarif",
                    "--stage", "container", "--mode", "warn", "--date",
                    "2026-12-01"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "gate");
  EXPECT_EQ(r.gate().level(), 3u);
  EXPECT_EQ(r.gate().stage(), "container");
  EXPECT_THAT(r.gate().report_names(), ElementsAre(dir_ + "/report.sarif"));
}

}  // namespace
}  // namespace dso
