#include "stages/core/percent_encoding.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(PercentEncodingTest, EncodesAndDecodes) {
  EXPECT_EQ(UrlEncode("src/app.py", true), "src/app.py");
  EXPECT_EQ(UrlEncode("src/app.py"), "src%2Fapp.py");
  EXPECT_EQ(UrlEncode("a b#1?.py", true), "a%20b%231%3F.py");
  EXPECT_EQ(UrlEncode("caf\xC3\xA9/100%.txt", true), "caf%C3%A9/100%25.txt");
  EXPECT_EQ(UrlEncode("x\n[dso]", true), "x%0A%5Bdso%5D");
  for (const char* path :
       {"src/app.py", "a b#1?.py", "caf\xC3\xA9/100%.txt", "x\n[dso]"}) {
    EXPECT_EQ(UrlDecode(UrlEncode(path, true)), path);
  }
  EXPECT_EQ(UrlDecode("100%"), "100%");  // a stray % stays
}

}  // namespace
}  // namespace dso
