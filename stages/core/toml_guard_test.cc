#include "stages/core/toml_guard.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

// "é" (U+00E9) and "ж" (U+0436) are among the characters toml++ 3.3
// mishandles; "€" (U+20AC) is not.
const std::string kE = "\xc3\xa9", kZhe = "\xd0\xb6", kEuro = "\xe2\x82\xac";

absl::StatusOr<std::string> Safe(const std::string& text) {
  return TomlForParser(text, "x.toml");
}

TEST(TomlGuardTest, DoubleQuotedStringsGetEscapes) {
  EXPECT_EQ(*Safe("name = \"caf" + kE + "\"\n"), "name = \"caf\\u00E9\"\n");
  EXPECT_EQ(*Safe("\"" + kE + "\" = 1\n"), "\"\\u00E9\" = 1\n");
  EXPECT_EQ(*Safe("d = \"\"\"\n" + kZhe + "\n\"\"\"\n"),
            "d = \"\"\"\n\\u0436\n\"\"\"\n");
  // An escaped quote does not end the string.
  EXPECT_EQ(*Safe("a = [\"x\\\"" + kE + "\"]\n"), "a = [\"x\\\"\\u00E9\"]\n");
}

TEST(TomlGuardTest, CommentsLoseThemAndTheRestIsUntouched) {
  EXPECT_EQ(*Safe("# caf" + kE + "\nx = 1\n"), "# caf?\nx = 1\n");
  std::string plain = "x = 'caf" + kEuro + "' # " + kEuro + "\n[t]\ny = true\n";
  EXPECT_EQ(*Safe(plain), plain);
  // Passed on as they are: 4-byte characters, stray bytes, a cut sequence.
  std::string odd = "x = \"\xf0\x9f\x94\x91 \xff\" # \xc3\n\xe2\x82";
  EXPECT_EQ(*Safe(odd), odd);
}

TEST(TomlGuardTest, ElsewhereTheFileIsRefusedByLine) {
  auto s = Safe("x = 1\nk" + kZhe + " = 2\n");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              HasSubstr("x.toml:2: the character U+0436 outside a string"));
  EXPECT_THAT(Safe("x = '" + kE + "'\n").status().message(),
              HasSubstr("in a literal string"));
  EXPECT_FALSE(Safe("x = '''\n" + kE + "'''\n").ok());
  EXPECT_FALSE(Safe("x = true" + kE + "\n").ok());
  EXPECT_THAT(
      Safe("a = \"\"\"\n\n\"\"\"\nb = '" + kE + "'\n").status().message(),
      HasSubstr("x.toml:4:"));
}

}  // namespace
}  // namespace dso
