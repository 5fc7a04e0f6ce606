// How `dsoctl keys` and `dsoctl verify` turn a command line into a request
// (command_testing.h).
#include <cstdlib>

#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;

TEST_F(CommandTest, VerifyABlobWithAKeyMadeByKeysGenerate) {
  setenv("DSO_KEY_PASSWORD", "test-password", 1);
  ASSERT_EQ(Dsoctl({"keys", "generate", "--out", dir_ + "/k"}), 0);
  EXPECT_TRUE(sent_.empty());  // made here, not by a run
  ASSERT_EQ(Dsoctl({"verify", "--blob", dir_ + "/report.sarif", "--signature",
                    "c2lnbmF0dXJl", "--key", dir_ + "/k.pub", "--require-gate",
                    "final:2"}),
            0);
  const auto& r = Sent();
  EXPECT_EQ(r.step(), "verify");
  EXPECT_EQ(r.verify().blob_signature(), "c2lnbmF0dXJl");
  EXPECT_NE(r.verify().public_key_pem().find("BEGIN PUBLIC KEY"),
            std::string::npos);
  EXPECT_THAT(r.verify().require_gate(), ElementsAre("final:2"));
}

TEST_F(CommandTest, VerifyNeedsAnImageOrABlob) {
  setenv("DSO_KEY_PASSWORD", "test-password", 1);
  ASSERT_EQ(Dsoctl({"keys", "generate", "--out", dir_ + "/k"}), 0);
  EXPECT_NE(Dsoctl({"verify", "--key", dir_ + "/k.pub"}), 0);
  EXPECT_TRUE(sent_.empty());
}

}  // namespace
}  // namespace dso
