#include "stages/deploy/releases.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

const absl::Time kT0 = absl::FromUnixSeconds(1795000000);

TEST(Releases, CreateSwitchListAndPrune) {
  std::string dir = MakeTempDir("dso-releases-test");
  const std::string digest = "sha256:0123456789abcdef0123";
  auto a = CreateRelease(dir, digest, kT0);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, "20261118T110640Z-0123456789ab");
  auto same_second = CreateRelease(dir, digest, kT0);
  ASSERT_TRUE(same_second.ok());
  EXPECT_EQ(*same_second, *a + ".1");
  auto b = CreateRelease(dir, digest, kT0 + absl::Hours(1));
  auto c = CreateRelease(dir, digest, kT0 + absl::Hours(2));
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_EQ(*CurrentRelease(dir), "");
  ASSERT_TRUE(SwitchCurrent(dir, *b).ok());
  EXPECT_EQ(*CurrentRelease(dir), *b);
  EXPECT_EQ(fs::read_symlink(dir + "/current"), "releases/" + *b);
  EXPECT_TRUE(fs::exists(dir + "/current/"));
  ASSERT_TRUE(SwitchCurrent(dir, *c).ok());
  EXPECT_EQ(*CurrentRelease(dir), *c);
  EXPECT_THAT(*ListReleases(dir), ElementsAre(*a, *same_second, *b, *c));
  // Keep two; the oldest one is protected (say, it is what runs).
  auto removed = PruneReleases(dir, 2, {*a});
  ASSERT_TRUE(removed.ok());
  EXPECT_THAT(*removed, ElementsAre(*same_second, *b));
  EXPECT_THAT(*ListReleases(dir), ElementsAre(*a, *c));
  fs::remove_all(dir);
}

TEST(Releases, OneDeploymentAtATime) {
  std::string dir = MakeTempDir("dso-releases-lock");
  auto first = DeployLock::Acquire(dir);
  ASSERT_TRUE(first.ok());
  auto second = DeployLock::Acquire(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr("another deployment"));
  { DeployLock released = *std::move(first); }
  EXPECT_TRUE(DeployLock::Acquire(dir).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dso
