#include "stages/gate/gate_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/gate/gate_decision.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

// A decision on `n` findings of severity `sev` (from a scanner other than
// secrets) under the default policy.
bool Passes(int level, dso::v1::Severity sev, int n,
            const std::string& stage = "source",
            const GatePolicy& policy = DefaultPolicy()) {
  GateInputs in;
  for (int i = 0; i < n; ++i) {
    dso::v1::Finding f;
    f.set_rule_id("r");
    f.set_severity(sev);
    f.set_scanner("deps");
    f.set_fingerprint(std::to_string(i));
    in.findings.push_back(f);
  }
  GateRequest req;
  req.level = level;
  req.stage = stage;
  req.today = absl::CivilDay(2026, 11, 27);
  return Decide(policy, req, in, {}, {}).pass;
}

TEST(DefaultPolicyTest, LevelsOneToThreeUnderAtAndOverEachLimit) {
  for (int level = 1; level <= 3; ++level) {
    EXPECT_TRUE(Passes(level, dso::v1::CRITICAL, 0));
    EXPECT_FALSE(Passes(level, dso::v1::CRITICAL, 1));
    EXPECT_TRUE(Passes(level, dso::v1::HIGH, 0));
    EXPECT_TRUE(Passes(level, dso::v1::HIGH, 1));
    EXPECT_FALSE(Passes(level, dso::v1::HIGH, 2));
    EXPECT_TRUE(Passes(level, dso::v1::MEDIUM, 1));
    EXPECT_TRUE(Passes(level, dso::v1::MEDIUM, 2));
    EXPECT_FALSE(Passes(level, dso::v1::MEDIUM, 3));
    EXPECT_TRUE(Passes(level, dso::v1::LOW, 2));
    EXPECT_TRUE(Passes(level, dso::v1::LOW, 3));
    EXPECT_FALSE(Passes(level, dso::v1::LOW, 4));
    EXPECT_TRUE(Passes(level, dso::v1::INFO, 1000));  // INFO never counts
  }
}

TEST(DefaultPolicyTest, LevelFourAllowsNothing) {
  EXPECT_TRUE(Passes(4, dso::v1::LOW, 0));
  for (auto sev :
       {dso::v1::CRITICAL, dso::v1::HIGH, dso::v1::MEDIUM, dso::v1::LOW}) {
    EXPECT_FALSE(Passes(4, sev, 1)) << sev;
  }
  EXPECT_TRUE(Passes(4, dso::v1::INFO, 5));
}

TEST(PolicyFileTest, LevelsAndStageOverrides) {
  auto p = ParsePolicy(R"(version: 1
levels:
  2:
    max: {HIGH: 3}
  3:
    count_from: MEDIUM
stages:
  container:
    levels:
      2: {max: {HIGH: 0, CRITICAL: 0}}
)",
                       "policy.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(Passes(2, dso::v1::HIGH, 3, "source", *p));
  EXPECT_FALSE(Passes(2, dso::v1::HIGH, 4, "source", *p));
  EXPECT_TRUE(Passes(2, dso::v1::HIGH, 0, "container", *p));
  EXPECT_FALSE(Passes(2, dso::v1::HIGH, 1, "container", *p));
  EXPECT_TRUE(Passes(2, dso::v1::MEDIUM, 2, "container", *p));  // kept
  EXPECT_TRUE(Passes(3, dso::v1::LOW, 50, "source", *p));       // not counted
  EXPECT_FALSE(Passes(3, dso::v1::MEDIUM, 3, "source", *p));
  EXPECT_FALSE(Passes(1, dso::v1::HIGH, 2, "source", *p));  // default kept
}

TEST(PolicyFileTest, ErrorsNameTheFileAndLine) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"levels:\n  1:\n    maxx: {}\n",
       "policy.yaml:3: levels.1: unknown key 'maxx'"},
      {"levels:\n  5:\n    max: {HIGH: 1}\n",
       "policy.yaml:2: levels: '5' is not a level (1 to 4)"},
      {"levels:\n  2:\n    max: {SEVERE: 1}\n",
       "policy.yaml:3: levels.2.max.SEVERE: 'SEVERE' is not a severity"},
      {"levels:\n  2:\n    max: {HIGH: many}\n",
       "policy.yaml:3: levels.2.max.HIGH: must be a whole number"},
      {"levels:\n  2:\n    max: {HIGH: -1}\n",
       "must be a whole number, 0 or more"},
      {"stages:\n  qa: {}\n", "policy.yaml:2: stages: unknown key 'qa'"},
      {"stages:\n  final:\n    require: {sbom: maybe}\n",
       "policy.yaml:3: stages.final.require.sbom: must be true or false"},
      {"scanners:\n  secrets: {max: x}\n",
       "scanners.secrets.max: must be a whole number"},
      {"version: 2\n", "only version 1 exists"},
      {"levels: [1, 2\n", "policy.yaml:2: not valid YAML"},
      {"- a list\n", "policy.yaml:1: must be a mapping"},
  };
  for (const auto& c : cases) {
    auto p = ParsePolicy(c.yaml, "policy.yaml");
    ASSERT_FALSE(p.ok()) << c.yaml;
    EXPECT_THAT(p.status().message(), HasSubstr(c.want)) << c.yaml;
  }
}

TEST(PolicyFileTest, FinalRequirements) {
  auto p = ParsePolicy(R"(stages:
  final:
    require:
      sbom: false
      signed: true
      attestations: [https://slsa.dev/provenance/v1]
)",
                       "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->final_requirements.sbom);
  EXPECT_TRUE(p->final_requirements.signed_image);
  EXPECT_TRUE(p->final_requirements.no_expired_waivers);  // default kept
  ASSERT_EQ(p->final_requirements.attestations.size(), 1u);
}

}  // namespace
}  // namespace dso
