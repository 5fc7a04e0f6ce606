// How `dsoctl exec` turns a command line into its request (command_testing.h).
#include <filesystem>

#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;

TEST_F(CommandTest, Exec) {
  ASSERT_EQ(Dsoctl({"exec", "--env", "A=1", "--collect", "out/x.txt",
                    "--kill-grace", "3", "--deadline", "9", "--idempotency-key",
                    "k1", "--cwd", dir_, "--", "echo", "hi"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "exec");
  EXPECT_EQ(r.deadline_seconds(), 9u);
  EXPECT_EQ(r.idempotency_key(), "k1");
  EXPECT_THAT(r.exec().argv(), ElementsAre("echo", "hi"));
  EXPECT_EQ(r.exec().env().at("A"), "1");
  EXPECT_THAT(r.exec().collect(), ElementsAre("out/x.txt"));
  EXPECT_EQ(r.exec().kill_grace_seconds(), 3u);
  EXPECT_EQ(r.exec().workdir().local_path(),
            std::filesystem::canonical(dir_).string());
}

TEST_F(CommandTest, ExecRefusesACollectPathOutside) {
  EXPECT_NE(Dsoctl({"exec", "--collect", "../x", "--", "true"}), 0);
  EXPECT_TRUE(sent_.empty());
}

}  // namespace
}  // namespace dso
