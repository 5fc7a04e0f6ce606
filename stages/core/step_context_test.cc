#include "stages/core/step_context.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

TEST(SanitizeUtf8Test, KeepsValidAndReplacesInvalid) {
  EXPECT_EQ(SanitizeUtf8("plain"), "plain");
  EXPECT_EQ(SanitizeUtf8("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(SanitizeUtf8("a\xFF"), "a\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                // surrogate
  EXPECT_EQ(SanitizeUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut
}

TEST(SingleFileInTest, OnlyADirectoryHoldingJustOneFile) {
  std::string dir = MakeTempDir("single");
  EXPECT_EQ(SingleFileIn(dir), "");  // empty
  ASSERT_TRUE(WriteFileAtomically(dir + "/a.json", "{}").ok());
  EXPECT_EQ(SingleFileIn(dir), dir + "/a.json");
  ASSERT_TRUE(WriteFileAtomically(dir + "/b.json", "{}").ok());
  EXPECT_EQ(SingleFileIn(dir), "");  // two
  std::filesystem::remove(dir + "/a.json");
  std::filesystem::remove(dir + "/b.json");
  std::filesystem::create_directory(dir + "/sub");
  EXPECT_EQ(SingleFileIn(dir), "");  // not a file
  EXPECT_EQ(SingleFileIn(dir + "/none"), "");
  std::filesystem::remove_all(dir);
}

TEST(ErrorResultTest, CarriesCodeAndMessage) {
  auto r = ErrorResult(absl::NotFoundError("no such thing"));
  EXPECT_EQ(r.outcome(), dso::v1::ERROR);
  EXPECT_EQ(r.error_code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(r.message(), "no such thing");
}

}  // namespace
}  // namespace dso
