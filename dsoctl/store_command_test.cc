// How `dsoctl store` turns a command line into its request (command_testing.h).
#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

TEST_F(CommandTest, StorePutToAnUrl) {
  ASSERT_EQ(Dsoctl({"store", "put", dir_ + "/report.sarif",
                    "file://" + dir_ + "/out"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "store");
}

}  // namespace
}  // namespace dso
