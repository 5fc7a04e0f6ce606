// How `dsoctl build` turns a command line into its request (command_testing.h).
#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;

TEST_F(CommandTest, Build) {
  ASSERT_EQ(Dsoctl({"build", "--context", dir_, "--out", dir_ + "/image",
                    "--env", "A=1", "--label", "k=v", "--file",
                    "report.sarif:/etc/r.json:0640", "--user", "65532", "--cmd",
                    "[\"serve\", \"--port\", \"8080\"]"}),
            0);
  const auto& p = Sent().build();
  EXPECT_THAT(p.env(), ElementsAre("A=1"));
  EXPECT_EQ(p.labels().at("k"), "v");
  ASSERT_EQ(p.files_size(), 1);
  EXPECT_EQ(p.files(0).dest(), "/etc/r.json");
  EXPECT_EQ(p.files(0).mode(), 0640);
  EXPECT_EQ(p.user(), "65532");
  EXPECT_THAT(p.cmd(), ElementsAre("serve", "--port", "8080"));
}

TEST_F(CommandTest, BuildRefusesAFileWithoutADestination) {
  EXPECT_NE(Dsoctl({"build", "--context", dir_, "--out", dir_ + "/image",
                    "--file", "report.sarif"}),
            0);
  EXPECT_TRUE(sent_.empty());
}

}  // namespace
}  // namespace dso
