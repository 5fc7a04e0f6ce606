#include "stages/scan/secrets/internal/go_regex.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(GoRegexTest, NamedGroupsBecomeRe2Spelling) {
  EXPECT_EQ(GoRegexToRe2("(?<key>[a-z]+)=(?P<v>\\d)"),
            "(?P<key>[a-z]+)=(?P<v>\\d)");
  // Inside a class or escaped, "(?<" is literal text.
  EXPECT_EQ(GoRegexToRe2("[(?<]\\(?<"), "[(?<]\\(?<");
}

TEST(GoRegexTest, RepeatsOfWideAtomsGrowForByteCounting) {
  EXPECT_EQ(GoRegexToHyperscan("a.{0,20}b"), "a.{0,80}b");
  EXPECT_EQ(GoRegexToHyperscan("[^\"]{8}"), "[^\"]{8,32}");
  EXPECT_EQ(GoRegexToHyperscan("\\S{3,5}"), "\\S{3,20}");
  EXPECT_EQ(GoRegexToHyperscan("(?s:.){0,200}"), "(?s:.){0,}");
  EXPECT_EQ(GoRegexToHyperscan("(?i)(.){1,2}"), "(?i)(.){1,8}");
  // A longer group's count is of repetitions, not characters.
  EXPECT_EQ(GoRegexToHyperscan("(?:ab.){1,5}"), "(?:ab.){1,5}");
  EXPECT_EQ(GoRegexToHyperscan("(?:x|.){2}"), "(?:x|.){2}");
}

TEST(GoRegexTest, AsciiRepeatsAndUnboundedOnesStay) {
  EXPECT_EQ(GoRegexToHyperscan("[a-z0-9]{32}"), "[a-z0-9]{32}");
  EXPECT_EQ(GoRegexToHyperscan("\\w{0,50}?x"), "\\w{0,50}?x");
  EXPECT_EQ(GoRegexToHyperscan(".{8,}"), ".{8,}");
  EXPECT_EQ(GoRegexToHyperscan("a{x}"), "a{x}");  // a literal brace
  EXPECT_EQ(GoRegexToHyperscan("[\\x60'\"]{0,5}"), "[\\x60'\"]{0,5}");
  EXPECT_EQ(GoRegexToHyperscan("[\\xe9]{2}"), "[\\xe9]{2,8}");
}

TEST(GoRegexTest, NonAsciiLiteralsAreGroupedWhole) {
  EXPECT_EQ(GoRegexToHyperscan("\xc3\xa9{2}"), "(?:\xc3\xa9){2,8}");
}

}  // namespace
}  // namespace dso
