#include "stages/scan/deps/internal/cvss.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(CvssTest, BaseScoresOfKnownVectors) {
  // Scores as NVD and FIRST's calculator give them.
  const std::pair<const char*, double> cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
      {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
      {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 6.5},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
      {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", 6.5},
  };
  for (const auto& [vector, want] : cases) {
    auto s = CvssV3BaseScore(vector);
    ASSERT_TRUE(s.ok()) << vector << ": " << s.status();
    EXPECT_DOUBLE_EQ(*s, want) << vector;
  }
}

TEST(CvssTest, RatingsAndBadVectors) {
  EXPECT_EQ(SeverityOfScore(0), dso::v1::INFO);
  EXPECT_EQ(SeverityOfScore(3.9), dso::v1::LOW);
  EXPECT_EQ(SeverityOfScore(4.0), dso::v1::MEDIUM);
  EXPECT_EQ(SeverityOfScore(7.0), dso::v1::HIGH);
  EXPECT_EQ(SeverityOfScore(9.0), dso::v1::CRITICAL);
  EXPECT_THAT(CvssV3BaseScore("CVSS:3.1/AV:N/AC:L").status().message(),
              HasSubstr("no S (scope)"));
  EXPECT_THAT(CvssV3BaseScore("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
                  .status()
                  .message(),
              HasSubstr("unknown AV value 'X'"));
  EXPECT_THAT(CvssV3BaseScore("AV:N/AC:L").status().message(),
              HasSubstr("not a CVSS v3.0 or v3.1 vector"));
  EXPECT_EQ(CvssV3BaseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/"
                            "VA:H/SC:N/SI:N/SA:N")
                .status()
                .code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace dso
