#include "stages/deploy/app_user.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace dso {
namespace {

// The choices that allocate nothing; a dedicated user's allocation runs
// through a real agent in tests/e2e/test_deploy.py.
TEST(AppUser, TheTargetsOwnUserWins) {
  auto user = ChooseAppUser("/nonexistent/target", "/nonexistent/claims",
                            "1234:99", "0", false);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(*user, "1234:99");
}

TEST(AppUser, TheImagesNonRootUserWhenTheAgentCanSwitch) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  auto user = ChooseAppUser("/nonexistent/target", "/nonexistent/claims", "",
                            "65532", false);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(*user, "65532");
}

TEST(AppUser, RootOnlyWhenThePolicyAllowsIt) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  for (const char* image : {"", "0", "root", "0:0"}) {
    auto user = ChooseAppUser("/nonexistent/target", "/nonexistent/claims", "",
                              image, true);
    ASSERT_TRUE(user.ok()) << user.status();
    EXPECT_EQ(*user, "") << image;
  }
}

}  // namespace
}  // namespace dso
