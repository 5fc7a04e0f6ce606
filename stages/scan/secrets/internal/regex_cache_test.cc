#include "stages/scan/secrets/internal/regex_cache.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(RegexCacheTest, SamePatternAndOptionsShareOneCompiledRegex) {
  RE2::Options o;
  auto a = SharedRegex("key-[0-9a-f]{8}", o);
  auto b = SharedRegex("key-[0-9a-f]{8}", o);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_TRUE(RE2::PartialMatch("x key-0123abcd y", *a));
  RE2::Options other = o;
  other.set_case_sensitive(false);
  auto c = SharedRegex("key-[0-9a-f]{8}", other);
  EXPECT_NE(a.get(), c.get());
  EXPECT_TRUE(RE2::PartialMatch("KEY-0123ABCD", *c));
  EXPECT_FALSE(RE2::PartialMatch("KEY-0123ABCD", *a));
}

TEST(RegexCacheTest, ABadPatternComesBackNotOk) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = SharedRegex("(unclosed", o);
  ASSERT_NE(re, nullptr);
  EXPECT_FALSE(re->ok());
}

TEST(RegexCacheTest, ForgetsTheLeastRecentlyUsedBeyondItsBound) {
  RE2::Options o;
  auto held = SharedRegex("held-[a-z]+", o);
  const RE2* kept = SharedRegex("kept-[a-z]+", o).get();
  for (size_t i = 0; i < kMaxCachedRegexes + 100; ++i) {
    SharedRegex(absl::StrCat("filler-", i), o);
    if (i % 1024 == 0) SharedRegex("kept-[a-z]+", o);  // stays recent
  }
  EXPECT_EQ(CachedRegexCount(), kMaxCachedRegexes);
  EXPECT_EQ(SharedRegex("kept-[a-z]+", o).get(), kept);
  // A forgotten pattern is compiled anew; what a caller holds stays valid.
  EXPECT_NE(SharedRegex("held-[a-z]+", o).get(), held.get());
  EXPECT_TRUE(RE2::PartialMatch("held-abc", *held));
}

}  // namespace
}  // namespace dso
