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
using ::testing::UnorderedElementsAre;
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
  // Padded past the cap: sparse, so the test writes nothing. A lockfile
  // read whole is refused; one read in pieces is read to its end, where
  // the padding is not JSON.
  for (const char* big : {"/big/Gemfile.lock", "/big/package-lock.json"}) {
    ASSERT_TRUE(WriteFileAtomically(dir + big, "{}").ok());
    ASSERT_EQ(truncate((dir + big).c_str(), 65 << 20), 0);
  }

  auto got = CollectInventory(dir);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->files, ElementsAre("ok/requirements.txt"));
  ASSERT_EQ(got->inventory.packages.size(), 1u);
  ASSERT_EQ(got->unread.size(), 3u);
  EXPECT_THAT(got->unread[0], HasSubstr("big/Gemfile.lock: 68157440 "
                                        "bytes, more than the 64 MiB"));
  EXPECT_THAT(got->unread[1],
              HasSubstr("big/package-lock.json:1: not JSON: more text after"));
  EXPECT_THAT(got->unread[2], HasSubstr("broken/poetry.lock:1: not TOML"));
  EXPECT_TRUE(got->warnings.empty());
  fs::remove_all(dir);
}

// `-r` includes are followed within the tree, each file read once (a cycle
// ends); one outside is a warning, a missing one hides packages (unread).
// `-c` constraints pin what any file of the install leaves unpinned.
TEST(InventoryTest, RequirementsIncludesAreFollowedWithinTheTree) {
  std::string dir = MakeTempDir("inventory");
  ASSERT_FALSE(dir.empty());
  fs::create_directories(dir + "/app/dev");
  auto put = [&](const std::string& rel, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomically(dir + "/" + rel, text).ok());
  };
  put("app/requirements.txt",
      "-r base.in\n--requirement=dev/requirements-dev.txt\n"
      "-c constraints.txt\n-r ../../outside.txt\nflask==2.0.0\n");
  put("app/base.in", "django==3.2.0\n-r requirements.txt\n");  // a cycle
  put("app/dev/requirements-dev.txt",
      "pytest==7.0.0\n-r ../gone.txt\nrequests[socks]>=2\n");
  // Pins what is required anywhere in the install, adds nothing else.
  put("app/constraints.txt", "Requests==2.31.0\nnumpy==1.26.0\n");

  auto got = CollectInventory(dir);
  ASSERT_TRUE(got.ok()) << got.status();
  std::vector<std::string> names;
  for (const auto& p : got->inventory.packages) {
    names.push_back(p.name + "@" + p.version + " " + p.file);
  }
  EXPECT_THAT(names,
              UnorderedElementsAre("flask@2.0.0 app/requirements.txt",
                                   "django@3.2.0 app/base.in",
                                   "pytest@7.0.0 app/dev/requirements-dev.txt",
                                   "requests@2.31.0 app/constraints.txt"));
  EXPECT_THAT(got->warnings,
              ElementsAre(HasSubstr("app/requirements.txt:4: -r "
                                    "../../outside.txt: outside the scanned "
                                    "tree")));
  ASSERT_EQ(got->unread.size(), 1u);
  EXPECT_THAT(got->unread[0],
              HasSubstr("app/dev/requirements-dev.txt:2: -r ../gone.txt"));
  EXPECT_THAT(got->inventory.notes,
              testing::Contains(HasSubstr(
                  "app/dev/requirements-dev.txt:3: 'requests' is pinned to "
                  "2.31.0 by app/constraints.txt:1")));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dso
