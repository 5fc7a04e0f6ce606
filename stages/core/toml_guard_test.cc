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

absl::Status Check(const std::string& text) {
  return CheckTomlParserHazards(text, "x.toml");
}

TEST(TomlGuardTest, ValuesAndCommentsMayHoldAnyCharacter) {
  EXPECT_TRUE(Check("name = \"caf" + kE + "\"\n").ok());
  EXPECT_TRUE(Check("name = 'caf" + kE + "'\n").ok());
  EXPECT_TRUE(Check("d = \"\"\"\n" + kZhe + "\n\"\"\"\n").ok());
  EXPECT_TRUE(Check("# " + kZhe + "\nx = 1\n").ok());
  EXPECT_TRUE(Check("a = [\"" + kE + "\", '" + kE + "']\n").ok());
  EXPECT_TRUE(Check("t = { k = \"" + kE + "\" }\n").ok());
  EXPECT_TRUE(Check("\"" + kEuro + "\" = 1\n").ok());
}

TEST(TomlGuardTest, KeysWithThoseCharactersAreRefusedByLine) {
  auto s = Check("x = 1\n\"" + kE + "\" = 2\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("x.toml:2: the character U+00E9 in a key"));
  EXPECT_FALSE(Check("a.'" + kZhe + "'.b = 1\n").ok());
  EXPECT_FALSE(Check("[\"" + kE + "\"]\n").ok());
  EXPECT_FALSE(Check("[[t.\"" + kE + "\"]]\n").ok());
  EXPECT_FALSE(Check("t = { \"" + kE + "\" = 1 }\n").ok());
}

TEST(TomlGuardTest, ThoseCharactersOutsideStringsAreRefused) {
  EXPECT_THAT(Check("[package" + kE + "dependencies]\n").message(),
              HasSubstr("outside a string"));
  EXPECT_FALSE(Check("x = true" + kE + "\n").ok());
  EXPECT_FALSE(Check("k" + kZhe + " = 1\n").ok());
}

TEST(TomlGuardTest, EscapesAndMultiLineStringsKeepTheirPlace) {
  // An escaped quote does not end the string; the key after it is checked.
  EXPECT_FALSE(Check("a = \"x\\\"y\"\n\"" + kE + "\" = 1\n").ok());
  auto s = Check("a = '''\n\n'''\n\"" + kE + "\" = 1\n");
  EXPECT_THAT(s.message(), HasSubstr("x.toml:4:"));
}

}  // namespace
}  // namespace dso
