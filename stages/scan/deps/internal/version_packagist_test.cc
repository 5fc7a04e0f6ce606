#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

constexpr VersionScheme kPhp = VersionScheme::kPackagist;

// PHP's version_compare as documented: unknown < dev < alpha = a < beta = b
// < RC = rc < # < pl = p.
TEST(PackagistVersionTest, SpecialForms) {
  ExpectAscending(kPhp, {"1.0-foo", "1.0-dev", "1.0alpha1", "1.0a2",
                         "1.0-beta1", "1.0b2", "1.0-RC1", "1.0rc2", "1.0",
                         "1.0.0", "1.0.1", "1.0pl1", "1.0-patch2", "1.1"});
  ExpectAscending(kPhp, {"5.2", "5.2.0", "5.2.1", "5.10"});
}

TEST(PackagistVersionTest, SeparatorsAndPrefix) {
  ExpectEqual(kPhp, "1.0.0-RC1", "1.0.0RC1");
  ExpectEqual(kPhp, "1.0.0-RC1", "1.0.0.RC1");
  ExpectEqual(kPhp, "1.0.0_RC1", "1.0.0+RC1");
  ExpectEqual(kPhp, "v2.0", "2.0");
  ExpectEqual(kPhp, "V2.0.1", "2.0.1");
  ExpectEqual(kPhp, "1.0alpha", "1.0a");  // prefix match of the forms
  ExpectEqual(kPhp, "1.0..1", "1.0.1");
}

TEST(PackagistVersionTest, RealPackages) {
  // laravel/framework, symfony/http-kernel, guzzlehttp/guzzle.
  ExpectAscending(kPhp, {"v8.83.27", "v9.0.0-beta.1", "v9.0.0-beta.5", "v9.0.0",
                         "v9.52.16", "v10.0.0"});
  ExpectAscending(kPhp,
                  {"v4.4.49", "v5.4.20", "v5.4.21", "v6.0.0-BETA1", "v6.0.0"});
  ExpectAscending(kPhp, {"6.5.7", "6.5.8", "7.0.0-beta.1", "7.4.4", "7.4.5"});
}

TEST(PackagistVersionTest, EmptyIsNotAVersion) {
  EXPECT_FALSE(ComparePackagist("", "1.0").ok());
  EXPECT_FALSE(ComparePackagist("v", "1.0").ok());
}

// PHP 8.2's version_compare on pairs of 190 versions built to hit every
// special form (dev, alpha, beta, RC, #, pl, p) and separator.
TEST(PackagistVersionTest, AgreesWithTheEcosystem) {
  ExpectFixturePairs(VersionScheme::kPackagist, "packagist-pairs.txt");
}

}  // namespace
}  // namespace dso
