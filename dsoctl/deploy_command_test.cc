// How `dsoctl deploy` turns a command line into its request
// (command_testing.h).
#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;

TEST_F(CommandTest, Deploy) {
  ASSERT_EQ(Dsoctl({"deploy", "--image", dir_, "--target", "host://" + dir_,
                    "--require", "sbom", "--require-gate", "final:2", "--port",
                    "8080", "--strategy", "blue-green"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "deploy");
  EXPECT_EQ(r.deploy().target(), "host://" + dir_);
  EXPECT_THAT(r.deploy().require(), ElementsAre("sbom"));
  EXPECT_THAT(r.deploy().require_gate(), ElementsAre("final:2"));
  EXPECT_EQ(r.deploy().port(), 8080u);
}

}  // namespace
}  // namespace dso
