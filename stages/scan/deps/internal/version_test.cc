#include "stages/scan/deps/internal/version.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(SemverTest, PrecedenceFromTheSpecification) {
  // semver.org §11.
  ExpectAscending(
      VersionScheme::kSemver,
      {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
       "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0",
       "1.9.0", "1.10.0", "1.11.0", "2.0.0", "10.0.0"});
}

TEST(SemverTest, NumbersPrereleasesAndBuildMetadata) {
  ExpectAscending(VersionScheme::kSemver,
                  {"0.0.0", "0.0.1-0", "0.0.1-1", "0.0.1-9", "0.0.1-10",
                   "0.0.1-a", "0.0.1-a-b", "0.0.1-b", "0.0.1", "0.1.0",
                   "18446744073709551615.0.0", "18446744073709551616.0.0"});
  ExpectEqual(VersionScheme::kSemver, "1.2.3+build.5", "1.2.3");
  ExpectEqual(VersionScheme::kSemver, "1.2.3+a", "1.2.3+b");
  ExpectEqual(VersionScheme::kSemver, "1", "1.0.0");  // OSV's "0" and kin
  ExpectEqual(VersionScheme::kSemver, "1.2", "1.2.0");
}

TEST(SemverTest, GoVersions) {
  // Go: a `v` prefix, `+incompatible`, pseudo-versions.
  ExpectAscending(VersionScheme::kSemver,
                  {"v0.0.0-20190308221718-c2843e01d9a2",
                   "v0.0.0-20200130185559-910be7a94367", "v0.1.0", "v0.3.3",
                   "v0.3.8-0.20211004164453-cedda3a722dd", "v0.3.8",
                   "v2.0.0+incompatible", "v2.1.0+incompatible"});
  ExpectEqual(VersionScheme::kSemver, "v1.2.3", "1.2.3");
  ExpectEqual(VersionScheme::kSemver, "v2.0.0+incompatible", "2.0.0");
}

TEST(SemverTest, NpmVersions) {
  ExpectAscending(VersionScheme::kSemver,
                  {"4.17.20", "4.17.21-beta.0", "4.17.21-beta.1",
                   "4.17.21-rc.0", "4.17.21", "=4.17.22"});
}

TEST(SemverTest, WhatIsNotAVersion) {
  for (const char* bad : {"", "a.b.c", "1.2.3.4", "1..2", "1.2.3-",
                          "1.2.3-a..b", "1.2.3-a$", "latest"}) {
    auto c = CompareSemver(bad, "1.0.0");
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok() && *bad) {
      EXPECT_THAT(c.status().message(), HasSubstr(bad));
    }
  }
}

TEST(Pep440Test, OrderingFromTheSpecification) {
  // PEP 440's summary of permitted suffixes and their ordering, and the
  // ordering within a release.
  ExpectAscending(
      VersionScheme::kPep440,
      {"1.0.dev456",    "1.0a1",         "1.0a2.dev456", "1.0a12.dev456",
       "1.0a12",        "1.0b1.dev456",  "1.0b2",        "1.0b2.post345.dev456",
       "1.0b2.post345", "1.0rc1.dev456", "1.0rc1",       "1.0",
       "1.0+abc.5",     "1.0+abc.7",     "1.0+5",        "1.0.post456.dev34",
       "1.0.post456",   "1.0.15",        "1.1.dev1",     "1.1",
       "2!0.1",         "2!1.0"});
}

TEST(Pep440Test, EpochsReleasesAndTrailingZeros) {
  ExpectAscending(VersionScheme::kPep440,
                  {"0.9", "0.9.1", "0.10", "1.0", "1.0.1", "1.1", "1.10", "2.0",
                   "2.0.0.1", "1!0.1"});
  ExpectEqual(VersionScheme::kPep440, "1.0", "1.0.0");
  ExpectEqual(VersionScheme::kPep440, "1.0", "1");
  ExpectEqual(VersionScheme::kPep440, "0", "0.0");
  ExpectEqual(VersionScheme::kPep440, "0!1.0", "1.0");
  ExpectEqual(VersionScheme::kPep440, "1.01", "1.1");
}

TEST(Pep440Test, NormalisedSpellings) {
  // PEP 440 "Normalization": case, separators, alternate words, implicit
  // numbers, a `v` prefix and surrounding white space.
  const std::vector<std::pair<std::string, std::string>> same = {
      {"1.1RC1", "1.1rc1"},
      {"1.1c1", "1.1rc1"},
      {"1.1pre1", "1.1rc1"},
      {"1.1preview1", "1.1rc1"},
      {"1.1alpha1", "1.1a1"},
      {"1.1beta2", "1.1b2"},
      {"1.1-a1", "1.1a1"},
      {"1.1_a_1", "1.1a1"},
      {"1.1.a.1", "1.1a1"},
      {"1.1a", "1.1a0"},
      {"1.2-post2", "1.2.post2"},
      {"1.2post2", "1.2.post2"},
      {"1.2.rev2", "1.2.post2"},
      {"1.2.r2", "1.2.post2"},
      {"1.2-2", "1.2.post2"},
      {"1.2.post", "1.2.post0"},
      {"1.2-dev2", "1.2.dev2"},
      {"1.2dev2", "1.2.dev2"},
      {"1.2.dev", "1.2.dev0"},
      {"v1.0", "1.0"},
      {" 1.0 ", "1.0"},
      {"1.0+Ubuntu-1", "1.0+ubuntu.1"},
      {"1.0+ubuntu_1", "1.0+ubuntu.1"},
  };
  for (const auto& [a, b] : same) ExpectEqual(VersionScheme::kPep440, a, b);
}

TEST(Pep440Test, RealPyPIVersions) {
  ExpectAscending(
      VersionScheme::kPep440,
      {"2.2a1", "2.2b1", "2.2rc1", "2.2", "2.2.1", "2.2.10", "2.2.28", "3.0",
       "3.2.20", "4.0a1", "4.0", "4.2.8", "5.0.1"});
  ExpectAscending(VersionScheme::kPep440, {"5.3", "5.3.1", "5.4b1", "5.4b2",
                                           "5.4", "5.4.1", "6.0", "6.0.1"});
}

TEST(Pep440Test, WhatIsNotAVersion) {
  for (const char* bad : {"", "abc", "1.0-", "1.0+", "1.0+a..b", "1.0 2",
                          "1.0.x", "1.0+a$", "!1.0", "1!"}) {
    EXPECT_FALSE(ComparePep440(bad, "1.0").ok()) << bad;
  }
}

TEST(DpkgTest, OrderingFromDebianPolicy) {
  // Policy 5.6.12: `~` sorts before anything, even the end; letters before
  // other characters; digits by value.
  ExpectAscending(VersionScheme::kDpkg,
                  {"0.9", "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+",
                   "1.0.1", "1.0.2", "1.0.10", "1.1"});
  ExpectAscending(VersionScheme::kDpkg,
                  {"2.30-1", "2.30-1+deb9u1", "2.30-2", "2.30a-1",
                   "2.31-1~bpo1", "2.31-1", "1:0.1-1", "2:0.0.1"});
  ExpectAscending(VersionScheme::kDpkg,
                  {"1.2.3-1ubuntu0.1", "1.2.3-1ubuntu0.2", "1.2.3-1ubuntu0.10",
                   "1.2.3-1ubuntu1"});
}

TEST(DpkgTest, EqualitiesAndRevisions) {
  ExpectEqual(VersionScheme::kDpkg, "0:1.0", "1.0");
  ExpectEqual(VersionScheme::kDpkg, "1.0-0", "1.0");
  ExpectEqual(VersionScheme::kDpkg, "1.00", "1.0");
  ExpectEqual(VersionScheme::kDpkg, "1:2.3-4", "1:2.3-4");
  // The last hyphen starts the revision: upstream may contain hyphens.
  ExpectAscending(VersionScheme::kDpkg,
                  {"1.0-beta-1", "1.0-beta-2", "1.0-rc-1"});
}

TEST(DpkgTest, WhatIsNotAVersion) {
  for (const char* bad : {"", ":1.0", "a:1.0", "1.0-", "1.0 1", "-1"}) {
    EXPECT_FALSE(CompareDpkg(bad, "1.0").ok()) << bad;
  }
}

TEST(VersionTest, EcosystemsAndTheirSchemes) {
  EXPECT_EQ(*SchemeForEcosystem("PyPI"), VersionScheme::kPep440);
  EXPECT_EQ(*SchemeForEcosystem("Go"), VersionScheme::kSemver);
  EXPECT_EQ(*SchemeForEcosystem("npm"), VersionScheme::kSemver);
  EXPECT_EQ(*SchemeForEcosystem("crates.io"), VersionScheme::kSemver);
  EXPECT_EQ(*SchemeForEcosystem("Debian:12"), VersionScheme::kDpkg);
  EXPECT_EQ(*SchemeForEcosystem("Ubuntu:22.04:LTS"), VersionScheme::kDpkg);
  EXPECT_EQ(*SchemeForEcosystem("Maven"), VersionScheme::kMaven);
  EXPECT_EQ(*SchemeForEcosystem("RubyGems"), VersionScheme::kRubyGems);
  EXPECT_EQ(*SchemeForEcosystem("NuGet"), VersionScheme::kNuGet);
  EXPECT_EQ(*SchemeForEcosystem("Alpine:v3.19"), VersionScheme::kApk);
  EXPECT_EQ(*SchemeForEcosystem("Wolfi"), VersionScheme::kApk);
  EXPECT_EQ(*SchemeForEcosystem("Packagist"), VersionScheme::kPackagist);
  auto none = SchemeForEcosystem("Julia");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("'Julia'"));
}

// The order packaging 26.4 gives the releases of 30 PyPI projects (3,005
// versions it accepts) and PEP 440's edge cases.
TEST(Pep440VersionTest, AgreesWithPackaging) {
  ExpectFixtureOrder(VersionScheme::kPep440, "pypi.txt");
}

// The order `dpkg --compare-versions` gives the versions of the packages
// installed on a Debian 12 machine and dpkg's edge cases.
TEST(DpkgVersionTest, AgreesWithDpkg) {
  ExpectFixtureOrder(VersionScheme::kDpkg, "debian.txt");
}

}  // namespace
}  // namespace dso
