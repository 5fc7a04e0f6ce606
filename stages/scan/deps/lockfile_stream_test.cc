#include "stages/scan/deps/lockfile_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/deps/internal/lockfiles_testing.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPackageLock[] = R"({
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "dependencies": {"a": "^1"}},
    "node_modules/a": {"version": "1.0.0", "dependencies": {"version": "x"}},
    "node_modules/my-b": {"name": "b", "version": "2.0.0"},
    "node_modules/c": {"version": "3.0.0", "link": true}
  }
})";
constexpr char kYarnLock[] = R"(# yarn lockfile v1

a@^1.0.0, a@^1.0.1:
  version "1.0.0"
  resolved "https://registry.yarnpkg.com/a/-/a-1.0.0.tgz"

"@s/b@^2":
  version "2.0.0"
)";
constexpr char kPnpmLock[] = R"(lockfileVersion: '9.0'
packages:
  a@1.0.0:
    resolution: {integrity: sha512-x}
  '@s/b@2.0.0':
    resolution: {integrity: sha512-y}
)";

// Reads `text` in two pieces cut at `cut`, what the first call leaves
// coming again before the second piece, as ReadDescriptor does.
std::vector<std::string> ReadCut(LockfileReaderFactory factory,
                                 absl::string_view text, size_t cut) {
  Inventory inv;
  auto reader = factory("f", &inv);
  absl::StatusOr<size_t> used = reader->Consume(text.substr(0, cut), false);
  EXPECT_TRUE(used.ok()) << used.status();
  std::string rest(text.substr(used.ok() ? *used : 0));
  used = reader->Consume(rest, true);
  EXPECT_TRUE(used.ok()) << used.status();
  return Described(inv);
}

TEST(LockfileStreamTest, ThePiecesDoNotChangeWhatIsRead) {
  using Case = std::pair<LockfileReaderFactory, const char*>;
  for (auto [factory, text] : {Case{NewPackageLockReader, kPackageLock},
                               Case{NewYarnLockReader, kYarnLock},
                               Case{NewPnpmLockReader, kPnpmLock}}) {
    const std::vector<std::string> whole = ReadCut(factory, text, strlen(text));
    EXPECT_EQ(whole.size(), 2u) << text;
    for (size_t cut = 0; cut <= strlen(text); ++cut) {
      EXPECT_EQ(ReadCut(factory, text, cut), whole) << "cut at " << cut;
    }
  }
  EXPECT_THAT(ReadCut(NewPackageLockReader, kPackageLock, 40),
              ElementsAre("npm a@1.0.0 f:5", "npm b@2.0.0 f:6"));
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/dso-stream-XXXXXX";
    fd_ = mkstemp(name);
    path_ = name;
    EXPECT_EQ(write(fd_, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    lseek(fd_, 0, SEEK_SET);
  }
  ~TempFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string path_;
};

TEST(LockfileStreamTest, AFileIsReadInPiecesWithinItsCap) {
  // 200,000 entries, about 12 MB: several pieces.
  std::string text = "# yarn lockfile v1\n";
  for (int i = 0; i < 200000; ++i) {
    absl::StrAppend(&text, "\npkg-", i, "@^1:\n  version \"1.0.", i % 7,
                    "\"\n  resolved \"https://r/pkg-", i, ".tgz\"\n");
  }
  TempFile f(text);
  Inventory inv;
  ASSERT_TRUE(ReadDescriptor(*NewYarnLockReader("yarn.lock", &inv), f.fd(),
                             "yarn.lock", 64 << 20)
                  .ok());
  ASSERT_EQ(inv.packages.size(), 200000u);
  EXPECT_EQ(Described(inv).back(), "npm pkg-199999@1.0.2 yarn.lock:799999");

  lseek(f.fd(), 0, SEEK_SET);
  Inventory capped;
  EXPECT_THAT(ReadDescriptor(*NewYarnLockReader("yarn.lock", &capped), f.fd(),
                             "yarn.lock", 8 << 20)
                  .message(),
              HasSubstr("yarn.lock: more than the 8 MiB"));
}

TEST(LockfileStreamTest, ALineLongerThanAPieceIsRefused) {
  TempFile f("a@^1:\n  version \"" + std::string(5 << 20, '1') + "\"\n");
  Inventory inv;
  EXPECT_THAT(ReadDescriptor(*NewYarnLockReader("yarn.lock", &inv), f.fd(),
                             "yarn.lock", 64 << 20)
                  .message(),
              HasSubstr("yarn.lock: a line or token longer than 4 MiB"));
}

TEST(LockfileStreamTest, MoreDistinctPackagesThanTheCapAreRefused) {
  std::string text;
  for (size_t i = 0; i <= kMaxPackagesPerFile; ++i) {
    absl::StrAppend(&text, "p", i, "@1:\n  version \"1\"\n");
  }
  Inventory inv;
  EXPECT_THAT(ParseYarnLock(text, "yarn.lock", &inv).message(),
              HasSubstr("yarn.lock: more than 500000 distinct packages"));
  // Notes are counted past kMaxNotes, not kept.
  std::string sources;
  for (size_t i = 0; i < kMaxNotes + 5; ++i) {
    absl::StrAppend(&sources, "g", i,
                    "@git+https://h/g.git:\n  version \"1\"\n");
  }
  Inventory noted;
  ASSERT_TRUE(ParseYarnLock(sources, "yarn.lock", &noted).ok());
  EXPECT_EQ(noted.notes.size(), kMaxNotes);
  EXPECT_EQ(noted.notes_dropped, 5u);
}

}  // namespace
}  // namespace dso
