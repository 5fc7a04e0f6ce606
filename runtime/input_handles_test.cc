#include "runtime/input_handles.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(HandleName, OnlyOnePlainName) {
  EXPECT_TRUE(CheckHandleName("report.sarif").ok());
  for (const char* bad : {"", ".", "..", "a/b", "../x", "x\ny"}) {
    EXPECT_FALSE(CheckHandleName(bad).ok()) << bad;
  }
  EXPECT_FALSE(CheckHandleName(std::string(256, 'a')).ok());
}

TEST(CopyHandedFile, CopiesWithinTheLimitOnly) {
  std::string dir = MakeTempDir("handed");
  ASSERT_TRUE(WriteFileAtomically(dir + "/in.json", "{\"findings\": []}").ok());
  int fd = open((dir + "/in.json").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(CopyHandedFile(fd, dir + "/run", "report.json", 1 << 20).ok());
  EXPECT_EQ(*ReadFile(dir + "/run/report.json"), "{\"findings\": []}");
  // Over the limit: an error naming it, and nothing left behind.
  auto s = CopyHandedFile(fd, dir + "/run2", "report.json", 4);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(s.message()), HasSubstr("at most 4"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/run2/report.json"));
  // A name that would leave the directory.
  EXPECT_FALSE(CopyHandedFile(fd, dir + "/run3", "../escape", 1 << 20).ok());
  EXPECT_FALSE(std::filesystem::exists(dir + "/escape"));
  close(fd);
  // A directory is no file.
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  EXPECT_FALSE(CopyHandedFile(dfd, dir + "/run4", "x", 1 << 20).ok());
  close(dfd);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dso
