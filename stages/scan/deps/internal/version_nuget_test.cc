#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

constexpr VersionScheme kNuGet = VersionScheme::kNuGet;

TEST(NuGetVersionTest, NumbersThenPrerelease) {
  ExpectAscending(
      kNuGet, {"0.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
               "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
               "1.0.0", "1.0.0.1", "1.0.1", "1.0.10", "1.1", "2.0.0.0", "10"});
  ExpectAscending(kNuGet, {"2.0.0-1", "2.0.0-2", "2.0.0-10", "2.0.0-a",
                           "2.0.0-a.1", "2.0.0-a-b", "2.0.0-b"});
}

TEST(NuGetVersionTest, LabelsIgnoreCaseAndMetadataIsIgnored) {
  ExpectEqual(kNuGet, "1.0.0-ALPHA", "1.0.0-alpha");
  ExpectEqual(kNuGet, "1.0.0-Beta.2", "1.0.0-beta.2");
  ExpectEqual(kNuGet, "1.0.0+build.5", "1.0.0");
  ExpectEqual(kNuGet, "1.0.0-rc.1+sha.abc", "1.0.0-rc.1");
  ExpectEqual(kNuGet, "1", "1.0.0.0");
  ExpectEqual(kNuGet, "1.2", "1.2.0");
  ExpectEqual(kNuGet, "1.02.3", "1.2.3");
}

TEST(NuGetVersionTest, RealPackages) {
  ExpectAscending(kNuGet, {"12.0.3", "13.0.1", "13.0.2", "13.0.3"});
  ExpectAscending(kNuGet, {"6.0.0-preview.7.21377.19", "6.0.0-rc.1.21451.13",
                           "6.0.0-rc.2.21480.5", "6.0.0", "6.0.1", "6.0.36"});
  ExpectAscending(kNuGet, {"4.3.0", "4.3.1", "4.3.2", "4.3.4"});
}

TEST(NuGetVersionTest, WhatIsNotAVersion) {
  for (const char* bad : {"", "1.0.0.0.0", "a.b", "1.0-", "1.0.0-a..b",
                          "1.0.0-a$", "1..0", "v1.0"}) {
    EXPECT_FALSE(CompareNuGet(bad, "1.0").ok()) << bad;
  }
}

}  // namespace
}  // namespace dso
