#include "stages/core/url_password.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(UrlPassword, FindsAndRedactsPasswords) {
  EXPECT_TRUE(HasUrlPassword("ftp://ci:s3cret@host/dir/"));
  EXPECT_TRUE(HasUrlPassword("get https://a:b@h:8443/x and more"));
  EXPECT_FALSE(HasUrlPassword("ssh://git@host/repo"));
  EXPECT_FALSE(HasUrlPassword("s3://bucket/key@v1:2"));
  EXPECT_FALSE(HasUrlPassword("registry:5000/app:1"));
  EXPECT_FALSE(HasUrlPassword(""));
  EXPECT_EQ(RedactUrlPasswords("ftp://ci:s3cret@host/x ftp://u:p@h/"),
            "ftp://ci:***@host/x ftp://u:***@h/");
  EXPECT_EQ(RedactUrlPasswords("no url here"), "no url here");
  EXPECT_EQ(RedactUrlPasswords("http://h:80/a@b"), "http://h:80/a@b");
  EXPECT_EQ(RedactUrlPasswords("x://"), "x://");
}

}  // namespace
}  // namespace dso
