#include "runtime/agent_runtime.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(StepsConfigForTest, DirectoriesDefaultBeneathTheDataDir) {
  AgentConfig config;
  config.data_dir = "/srv/dso";
  config.listen = {"unix:///run/dso/agent.sock", "127.0.0.1:7070"};
  auto steps = StepsConfigFor(config);
  ASSERT_TRUE(steps.ok()) << steps.status();
  EXPECT_EQ(steps->scan.cache_dir, "/srv/dso/cache");
  EXPECT_EQ(steps->scan.db_dir, "/srv/dso/osv");
  EXPECT_FALSE(steps->loading_allowlist.has_value());
  // No application may reach the data dir or a Unix listen socket.
  EXPECT_THAT(steps->deploy_agent.protect,
              ElementsAre("/srv/dso", "/run/dso/agent.sock"));
  EXPECT_EQ(steps->deploy_agent.app_users_dir, "/srv/dso/app-users");
}

TEST(StepsConfigForTest, ConfiguredDirectoriesWin) {
  AgentConfig config;
  config.cache_dir = "/cache";
  config.db_dir = "/osv";
  auto steps = StepsConfigFor(config);
  ASSERT_TRUE(steps.ok()) << steps.status();
  EXPECT_EQ(steps->scan.cache_dir, "/cache");
  EXPECT_EQ(steps->scan.db_dir, "/osv");
}

TEST(StepsConfigForTest, AnUnreadableAllowlistIsAnErrorNamingIt) {
  AgentConfig config;
  config.loading_allowlist = "/nonexistent/allowlist.yaml";
  auto steps = StepsConfigFor(config);
  ASSERT_FALSE(steps.ok());
  EXPECT_THAT(steps.status().message(),
              HasSubstr("/nonexistent/allowlist.yaml"));
}

}  // namespace
}  // namespace dso
