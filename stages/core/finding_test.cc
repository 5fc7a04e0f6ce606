#include "stages/core/finding.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(FindingTest, SeverityNamesRoundTrip) {
  for (auto s : {dso::v1::CRITICAL, dso::v1::HIGH, dso::v1::MEDIUM,
                 dso::v1::LOW, dso::v1::INFO}) {
    auto parsed = ParseSeverity(SeverityName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(*ParseSeverity("high"), dso::v1::HIGH);
  EXPECT_FALSE(ParseSeverity("severe").ok());
}

TEST(FindingTest, FingerprintIsStableAndSeparatesParts) {
  EXPECT_EQ(Fingerprint({"rule", "a.txt", "3"}),
            Fingerprint({"rule", "a.txt", "3"}));
  EXPECT_NE(Fingerprint({"ab", "c"}), Fingerprint({"a", "bc"}));
  EXPECT_EQ(Fingerprint({"x"}).size(), 32u);
}

TEST(FindingTest, MaskSecretShowsPrefixLengthAndShortDigestOnly) {
  EXPECT_EQ(MaskSecret("AKIAIOSFODNN7EXAMPLE"),
            "AKIA*****[20 chars, sha256:1a5d44a2]");
  EXPECT_EQ(MaskSecret("short"), "*****[5 chars, sha256:f9b0078b]");
  EXPECT_EQ(MaskSecret("12345678").substr(0, 5), "*****");
}

TEST(FindingTest, CountsEverySeverity) {
  std::vector<dso::v1::Finding> f(3);
  f[0].set_severity(dso::v1::HIGH);
  f[1].set_severity(dso::v1::HIGH);
  f[2].set_severity(dso::v1::LOW);
  auto c = CountBySeverity(f);
  EXPECT_EQ(c["HIGH"], 2u);
  EXPECT_EQ(c["LOW"], 1u);
  EXPECT_EQ(c["CRITICAL"], 0u);
  EXPECT_EQ(c.size(), 5u);
}

}  // namespace
}  // namespace dso
