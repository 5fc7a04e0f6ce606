#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(NumericVersionTest, CranAndHackageOrdering) {
  // R: package_version("1.2-3") == "1.2.3"; numbers, not text.
  ExpectAscending(VersionScheme::kNumeric,
                  {"0.9", "1.0", "1.0-1", "1.0.2", "1.2-3", "1.2.10", "1.10",
                   "2.0.0.1", "10.0"});
  EXPECT_EQ(*CompareNumeric("1.2-3", "1.2.3"), 0);
  // PVP: a prefix sorts first.
  EXPECT_LT(*CompareNumeric("1.2", "1.2.0"), 0);
  EXPECT_EQ(*SchemeForEcosystem("CRAN"), VersionScheme::kNumeric);
  EXPECT_EQ(*SchemeForEcosystem("Hackage"), VersionScheme::kNumeric);
  EXPECT_EQ(*SchemeForEcosystem("Pub"), VersionScheme::kSemver);
  EXPECT_EQ(*SchemeForEcosystem("SwiftURL"), VersionScheme::kSemver);
  EXPECT_THAT(CompareNumeric("1.0a", "1.0").status().message(),
              HasSubstr("'1.0a' is not a version of numbers"));
  EXPECT_FALSE(CompareNumeric("1..0", "1.0").ok());
}

}  // namespace
}  // namespace dso
