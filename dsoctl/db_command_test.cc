// How `dsoctl db` turns a command line into its request (command_testing.h).
#include <filesystem>

#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;

TEST_F(CommandTest, DbImport) {
  ASSERT_EQ(Dsoctl({"db", "import", "--db", dir_ + "/osv", dir_}), 0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "db");
  EXPECT_EQ(r.db().db(), dir_ + "/osv");
  ASSERT_EQ(r.db().sources_size(), 1);
  EXPECT_EQ(r.db().sources(0).local_path(),
            std::filesystem::canonical(dir_).string());
  EXPECT_THAT(r.db().source_names(), ElementsAre(dir_));
}

}  // namespace
}  // namespace dso
