#include "stages/scan/deps/inventory.h"

#include <unistd.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A lockfile dso reads but cannot read whole is named in `unread`, never
// dropped with a warning: size and syntax are no way past the gate.
TEST(InventoryTest, LockfilesNotReadWholeAreUnreadNotWarnings) {
  std::string dir = MakeTempDir("inventory");
  ASSERT_FALSE(dir.empty());
  for (const char* sub : {"/ok", "/broken", "/big"}) {
    fs::create_directories(dir + sub);
  }
  ASSERT_TRUE(
      WriteFileAtomically(dir + "/ok/requirements.txt", "django==3.2.0\n")
          .ok());
  ASSERT_TRUE(
      WriteFileAtomically(dir + "/broken/poetry.lock", "[[package]\n").ok());
  // Padded past the cap: sparse, so the test writes nothing.
  ASSERT_TRUE(WriteFileAtomically(dir + "/big/package-lock.json", "{}").ok());
  ASSERT_EQ(truncate((dir + "/big/package-lock.json").c_str(), 65 << 20), 0);

  auto got = CollectInventory(dir);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->files, ElementsAre("ok/requirements.txt"));
  ASSERT_EQ(got->inventory.packages.size(), 1u);
  ASSERT_EQ(got->unread.size(), 2u);
  EXPECT_THAT(got->unread[0], HasSubstr("big/package-lock.json: 68157440 "
                                        "bytes, more than the 64 MiB"));
  EXPECT_THAT(got->unread[1], HasSubstr("broken/poetry.lock:1: not TOML"));
  EXPECT_TRUE(got->warnings.empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dso
