#include <string>

#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

constexpr VersionScheme kMaven = VersionScheme::kMaven;

// Maven 3.9's own ComparableVersionTest orderings.
TEST(MavenVersionTest, QualifierOrder) {
  ExpectAscending(kMaven, {"1-alpha2snapshot",
                           "1-alpha2",
                           "1-alpha-123",
                           "1-beta-2",
                           "1-beta123",
                           "1-m2",
                           "1-m11",
                           "1-rc",
                           "1-cr2",
                           "1-rc123",
                           "1-SNAPSHOT",
                           "1",
                           "1-sp",
                           "1-sp2",
                           "1-sp123",
                           "1-abc",
                           "1-def",
                           "1-pom-1",
                           "1-1-snapshot",
                           "1-1",
                           "1-2",
                           "1-123"});
}

TEST(MavenVersionTest, NumberOrder) {
  ExpectAscending(kMaven,
                  {"2.0",    "2.0.a", "2-1",    "2.0.2", "2.0.123", "2.1.0",
                   "2.1-a",  "2.1b",  "2.1-c",  "2.1-1", "2.1.0.1", "2.2",
                   "2.123",  "11.a2", "11.a11", "11.b2", "11.b11",  "11.m2",
                   "11.m11", "11",    "11.a",   "11b",   "11c",     "11m"});
}

TEST(MavenVersionTest, OrderedPairs) {
  const std::pair<const char*, const char*> less[] = {
      {"1", "2"},
      {"1.5", "2"},
      {"1", "2.5"},
      {"1.0", "1.1"},
      {"1.1", "1.2"},
      {"1.0.0", "1.1"},
      {"1.0.1", "1.1"},
      {"1.1", "1.2.0"},
      {"1.0-alpha-1", "1.0"},
      {"1.0-alpha-1", "1.0-alpha-2"},
      {"1.0-alpha-1", "1.0-beta-1"},
      {"1.0-beta-1", "1.0-SNAPSHOT"},
      {"1.0-SNAPSHOT", "1.0"},
      {"1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"},
      {"1.0", "1.0-1"},
      {"1.0-1", "1.0-2"},
      {"1.0.0", "1.0-1"},
      {"2.0-1", "2.0.1"},
      {"2.0.1-klm", "2.0.1-lmn"},
      {"2.0.1", "2.0.1-xyz"},
      {"2.0.1", "2.0.1-123"},
      {"2.0.1-xyz", "2.0.1-123"},
      // MNG-5568, MNG-6572, MNG-6964
      {"6.1.0rc3", "6.1.0"},
      {"6.1.0rc3", "6.1H.5-beta"},
      {"6.1.0", "6.1H.5-beta"},
      {"20190126.230843", "1234567890.12345"},
      {"1234567890.12345", "123456789012345.1H.5-beta"},
      {"123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta"},
      {"1-0.alpha", "1"},
      {"1-0.beta", "1"},
      {"1-0.alpha", "1-0.beta"},
      {"1.0", "1.0-sp1"},
      // Real artifacts: Log4Shell's fixed versions, Spring, Jackson, Guava.
      {"2.14.1", "2.15.0"},
      {"2.15.0", "2.16.0"},
      {"2.16.0", "2.17.1"},
      {"2.0-beta9", "2.0-rc1"},
      {"2.0-rc2", "2.0"},
      {"2.0", "2.0.1"},
      {"5.3.17", "5.3.18"},
      {"5.3.9.RELEASE", "5.3.10.RELEASE"},
      {"2.9.10", "2.9.10.1"},
      {"2.9.10.8", "2.10.0"},
      {"2.10.0", "2.10.0.pr1"},  // an unknown qualifier sorts after release
                                 // {"31.1-android", "31.1-jre"},
      {"30.1-jre", "31.1-android"},
      {"1.0.0.Final", "1.0.1.Final"},
      {"4.1.77.Final", "4.1.78.Final"}};
  for (const auto& [lo, hi] : less) ExpectAscending(kMaven, {lo, hi});
}

TEST(MavenVersionTest, EqualSpellings) {
  const std::pair<const char*, const char*> same[] = {
      {"1", "1.0"},
      {"1", "1.0.0"},
      {"1.0", "1.0.0"},
      {"1", "1-0"},
      {"1", "1.0-0"},
      {"1.0", "1.0-0"},
      {"1a", "1-a"},
      {"1a", "1.0-a"},
      {"1a", "1.0.0-a"},
      {"1.0a", "1-a"},
      {"1.0.0a", "1-a"},
      {"1x", "1-x"},
      {"1x", "1.0-x"},
      {"1.0.0x", "1-x"},
      {"1ga", "1"},
      {"1release", "1"},
      {"1final", "1"},
      {"1cr", "1rc"},
      {"1a1", "1-alpha-1"},
      {"1b2", "1-beta-2"},
      {"1m3", "1-milestone-3"},
      {"1X", "1x"},
      {"1A", "1a"},
      {"1GA", "1"},
      {"1RELeaSE", "1"},
      {"1FINAL", "1"},
      {"1Cr", "1Rc"},
      {"1m3", "1MILESTONE3"},
      {"1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
      {"1.0.RELEASE", "1"},
      {"1.0-sp1", "1-sp-1"},
      {"0001", "1"},
      {"1.0000000000000000000000001", "1.1"},
      // MNG-7644: a qualifier after '.' reads as after '-'.
      {"2-abc", "2.0.abc"},
      {"2-abc", "2.0.0.abc"},
      {"2-RC", "2.0.RC"},
      {"2-b", "2.0.0.b"}};
  for (const auto& [a, b] : same) ExpectEqual(kMaven, a, b);
  for (const char* x : {"abc", "alpha", "a", "beta", "b", "def", "m", "RC"}) {
    ExpectAscending(kMaven, {std::string("1.0.0.") + x + "1",
                             std::string("1.0.0-") + x + "2"});
  }
}

// The order maven-artifact 3.9.9 gives the versions of 28 artifacts on
// Maven Central (4,090) and of hand-picked edge cases.
TEST(MavenVersionTest, AgreesWithMavenArtifact) {
  ExpectFixtureOrder(kMaven, "maven.txt");
}

TEST(MavenVersionTest, EmptyIsNotAVersion) {
  EXPECT_FALSE(CompareMaven("", "1").ok());
  EXPECT_FALSE(CompareMaven("1", "  ").ok());
  EXPECT_FALSE(CompareMaven("1\n2", "1").ok());
  EXPECT_FALSE(CompareMaven(std::string(1001, '1'), "1").ok());
}

}  // namespace
}  // namespace dso
