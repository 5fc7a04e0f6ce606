#include "stages/core/step_context.h"

#include "gtest/gtest.h"

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

TEST(ErrorResultTest, CarriesCodeAndMessage) {
  auto r = ErrorResult(absl::NotFoundError("no such thing"));
  EXPECT_EQ(r.outcome(), dso::v1::ERROR);
  EXPECT_EQ(r.error_code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(r.message(), "no such thing");
}

}  // namespace
}  // namespace dso
