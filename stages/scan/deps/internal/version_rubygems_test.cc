#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

constexpr VersionScheme kGems = VersionScheme::kRubyGems;

// Gem::Version's documented and tested comparisons.
TEST(RubyGemsVersionTest, PrereleasesSortBeforeReleases) {
  ExpectAscending(
      kGems, {"0.0.0", "1.0.a", "1.0.a.2", "1.0.a9", "1.0.a10", "1.0.b1",
              "1.0.rc1", "1.0", "1.0.1", "1.8.2.a", "1.8.2.a9", "1.8.2.a10",
              "1.8.2.b", "1.8.2", "1.10.0", "2", "10.0"});
  ExpectAscending(kGems, {"0.0.beta", "0.0.beta.1", "0.0.1"});
  ExpectAscending(kGems, {"5.a", "5.0.0.rc2", "5.x", "5"});
}

TEST(RubyGemsVersionTest, DashMeansPre) {
  // "1.0.0-rc1" is "1.0.0.pre.rc1": pre < rc.
  ExpectEqual(kGems, "1.0.0-rc1", "1.0.0.pre.rc1");
  ExpectAscending(kGems, {"1.0.0-rc1", "1.0.0.rc1", "1.0.0"});
  ExpectAscending(kGems, {"2.0.0-beta-2", "2.0.0-beta.3", "2.0.0"});
}

TEST(RubyGemsVersionTest, CanonicalSegments) {
  ExpectEqual(kGems, "1.0", "1");
  ExpectEqual(kGems, "1.0", "1.0.0");
  ExpectEqual(kGems, "", "0");
  ExpectEqual(kGems, "0.beta.1", "0.0.beta.1");
  ExpectEqual(kGems, "1.0.a.0", "1.0.a");
  ExpectEqual(kGems, "1.01", "1.1");
  ExpectEqual(kGems, " 1.2 ", "1.2");
  ExpectEqual(kGems, "1.2a", "1.2.a");
}

TEST(RubyGemsVersionTest, RealGems) {
  // Rails, Nokogiri, rack.
  ExpectAscending(kGems, {"6.1.7.3", "7.0.0.alpha1", "7.0.0.rc1", "7.0.0",
                          "7.0.4", "7.0.4.2", "7.0.4.3", "7.1.0.beta1"});
  ExpectAscending(kGems, {"1.13.9", "1.13.10", "1.14.0.rc1", "1.14.0"});
  ExpectAscending(kGems, {"2.2.6.2", "2.2.6.3", "3.0.0.beta1", "3.0.0"});
}

TEST(RubyGemsVersionTest, WhatIsNotAVersion) {
  for (const char* bad : {"junk", "1.0\n2.0", "1..2", "1.2 3.4", "1.0-",
                          "1.0-a..b", "-1", "1.0.", "1_0"}) {
    EXPECT_FALSE(CompareRubyGems(bad, "1.0").ok()) << bad;
  }
}

// The order RubyGems 3.3 gives 247 versions built from releases and
// prerelease suffixes.
TEST(RubyGemsVersionTest, AgreesWithTheEcosystem) {
  ExpectFixtureOrder(VersionScheme::kRubyGems, "rubygems.txt");
}

}  // namespace
}  // namespace dso
