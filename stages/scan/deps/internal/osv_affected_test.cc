#include "stages/scan/deps/internal/osv_affected.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

OsvRange Range(OsvRange::Type type, std::vector<OsvEvent> events) {
  return OsvRange{type, std::move(events)};
}
OsvEvent Introduced(std::string v) {
  return {OsvEvent::kIntroduced, std::move(v)};
}
OsvEvent Fixed(std::string v) { return {OsvEvent::kFixed, std::move(v)}; }
OsvEvent LastAffected(std::string v) {
  return {OsvEvent::kLastAffected, std::move(v)};
}
OsvEvent Limit(std::string v) { return {OsvEvent::kLimit, std::move(v)}; }

bool Affected(const OsvAffected& a, const std::string& v) {
  auto r = IsAffected(a, v);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() && *r;
}

TEST(OsvAffectedTest, IntroducedAndFixed) {
  // Django-like: two branches fixed separately, events out of order.
  OsvAffected a{
      "PyPI",
      "django",
      {Range(OsvRange::kEcosystem, {Introduced("3.2"), Fixed("3.2.15"),
                                    Introduced("0"), Fixed("3.1.14")}),
       Range(OsvRange::kEcosystem, {Introduced("4.0"), Fixed("4.0.7")})},
      {}};
  for (const char* v : {"1.0", "2.2.28", "3.1.13", "3.2", "3.2.14"}) {
    EXPECT_TRUE(Affected(a, v)) << v;
  }
  // 4.0a1 sorts before 4.0, where the second range starts.
  for (const char* v :
       {"3.1.14", "3.1.20", "3.2.15", "3.2.20", "4.0a1", "4.0.7", "4.1"}) {
    EXPECT_FALSE(Affected(a, v)) << v;
  }
  EXPECT_TRUE(Affected(a, "4.0.6"));
  auto fixed = FixedVersions(a, "3.2.1");
  ASSERT_TRUE(fixed.ok());
  EXPECT_THAT(*fixed, ElementsAre("3.2.15"));
  EXPECT_THAT(*FixedVersions(a, "3.0"), ElementsAre("3.1.14", "3.2.15"));
  EXPECT_TRUE(FixedVersions(a, "4.1")->empty());
}

TEST(OsvAffectedTest, LastAffectedCoversItsOwnVersion) {
  OsvAffected a{
      "Go",
      "golang.org/x/text",
      {Range(OsvRange::kSemver, {Introduced("0.3.0"), LastAffected("0.3.5")})},
      {}};
  EXPECT_FALSE(Affected(a, "v0.2.9"));
  EXPECT_TRUE(Affected(a, "v0.3.0"));
  EXPECT_TRUE(Affected(a, "v0.3.5"));
  EXPECT_FALSE(Affected(a, "v0.3.6"));
  // A pseudo-version before 0.3.5 is inside the range too.
  EXPECT_TRUE(Affected(a, "v0.3.5-0.20210101000000-abcdefabcdef"));
}

TEST(OsvAffectedTest, LimitAndIntroducedZero) {
  OsvAffected a{"npm",
                "lodash",
                {Range(OsvRange::kSemver, {Introduced("0"), Limit("2.0.0")})},
                {}};
  EXPECT_TRUE(Affected(a, "0.0.1"));
  EXPECT_TRUE(Affected(a, "1.9.9"));
  EXPECT_FALSE(Affected(a, "2.0.0"));
  // An empty range (introduced and fixed at one version) covers nothing.
  OsvAffected empty{
      "npm",
      "x",
      {Range(OsvRange::kSemver, {Introduced("1.0.0"), Fixed("1.0.0")})},
      {}};
  EXPECT_FALSE(Affected(empty, "1.0.0"));
}

TEST(OsvAffectedTest, ExplicitVersionsAndGitRanges) {
  OsvAffected a{"PyPI",
                "apache-skywalking",
                {Range(OsvRange::kGit, {Introduced("abc123"), Fixed("def")})},
                {"0.1.0", "1.0.1"}};
  EXPECT_TRUE(Affected(a, "1.0.1"));
  EXPECT_TRUE(Affected(a, "1.0.1.0"));  // the same PEP 440 version
  EXPECT_FALSE(Affected(a, "1.0.2"));
  // An ecosystem dso cannot order still matches its listed versions...
  OsvAffected julia{"Julia", "HTTP", {}, {"1.0"}};
  EXPECT_TRUE(Affected(julia, "1.0"));
  // ...but a range in it is an error, not a guess.
  julia.ranges.push_back(
      Range(OsvRange::kEcosystem, {Introduced("0"), Fixed("2.0")}));
  auto r = IsAffected(julia, "1.5");
  EXPECT_THAT(r.status().message(), HasSubstr("'Julia'"));
}

TEST(OsvAffectedTest, BadVersionsAreErrorsNamingThem) {
  OsvAffected a{"PyPI",
                "x",
                {Range(OsvRange::kEcosystem, {Introduced("0"), Fixed("2.0")})},
                {}};
  auto r = IsAffected(a, "not a version");
  EXPECT_THAT(r.status().message(), HasSubstr("'not a version'"));
}

}  // namespace
}  // namespace dso
