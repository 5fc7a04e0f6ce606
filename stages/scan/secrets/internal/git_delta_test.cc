#include "stages/scan/secrets/internal/git_delta.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

std::string Delta(size_t base, size_t size, const std::string& ops) {
  // Sizes under 128 fit one byte.
  return std::string(1, static_cast<char>(base)) +
         std::string(1, static_cast<char>(size)) + ops;
}

TEST(GitDeltaTest, CopiesAndInserts) {
  // Copy 5 bytes from offset 6 ("world"), insert ", ", copy "hello".
  std::string ops = "\x91\x06\x05";
  ops += "\x02, ";
  ops += "\x90\x05";
  auto out = ApplyGitDelta("hello world", Delta(11, 12, ops), 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "world, hello");
}

TEST(GitDeltaTest, CopySizeZeroMeansSixtyFourKiB) {
  std::string base(0x10000, 'x');
  std::string delta = "\x80\x80\x04\x80\x80\x04\x80";  // sizes 65536; copy
  auto out = ApplyGitDelta(base, delta, 1 << 20);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, base);
}

TEST(GitDeltaTest, RefusesWhatDoesNotFit) {
  struct Case {
    std::string base, delta, error;
  } cases[] = {
      {"abc", Delta(4, 3, "\x90\x03"), "base of 4 bytes"},
      {"abc", Delta(3, 3, "\x91\x02\x03"), "beyond the base"},
      {"abc", Delta(3, 2, "\x90\x03"), "more than it declares"},
      {"abc", Delta(3, 4, "\x90\x03"), "declares 4"},
      {"abc", Delta(3, 1, std::string(1, '\0')), "reserved"},
      {"abc", Delta(3, 5, "\x05xy"), "truncated insert"},
      {"abc", Delta(3, 3, "\x91"), "truncated copy"},
      {"abc", "\x83", "truncated header"},
      {"abc", Delta(3, 100, "\x90\x03"), "over the limit"},
  };
  for (const Case& c : cases) {
    auto out = ApplyGitDelta(c.base, c.delta, 64);
    EXPECT_FALSE(out.ok()) << c.error;
    EXPECT_THAT(out.status().message(), HasSubstr(c.error));
  }
}

}  // namespace
}  // namespace dso
