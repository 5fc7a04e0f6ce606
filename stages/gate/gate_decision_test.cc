#include "stages/gate/gate_decision.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dso {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

dso::v1::Finding Make(const std::string& fp, dso::v1::Severity sev,
                      const std::string& rule = "R",
                      const std::string& scanner = "deps",
                      const std::string& file = "src/a.py") {
  dso::v1::Finding f;
  f.set_fingerprint(fp);
  f.set_severity(sev);
  f.set_rule_id(rule);
  f.set_scanner(scanner);
  f.mutable_location()->set_file(file);
  return f;
}

GateInputs Inputs(std::vector<dso::v1::Finding> findings) {
  GateInputs in;
  in.findings = std::move(findings);
  in.reports = {"scan.json"};
  in.digests = {"sha256:" + std::string(64, 'a')};
  return in;
}

GateRequest At(int level, const std::string& stage = "source") {
  GateRequest r;
  r.level = level;
  r.stage = stage;
  r.today = absl::CivilDay(2026, 11, 27);
  return r;
}

const GateCondition* Find(const GateDecision& d, const std::string& name) {
  for (const auto& c : d.conditions) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

constexpr char kWaivers[] = R"(waivers:
  - id: W-log4j
    advisory: CVE-2021-44228
    reason: not reachable, JNDI lookups disabled
    owner: alice@example.com
    expires: 2026-12-31
  - id: W-old
    rule: OLD-RULE
    reason: accepted last year
    owner: bob@example.com
    expires: 2026-11-26
  - id: W-nothing
    package: left-pad
    reason: removed since
    owner: carol@example.com
    expires: 2027-01-31
  - id: W-tests
    path: "tests/*"
    rule: HARDCODED
    reason: test fixtures
    owner: dave@example.com
    expires: 2026-11-27
)";

TEST(GateDecisionTest, WaiversActiveExpiredAndStale) {
  auto waivers = ParseWaivers(kWaivers, "waivers.yaml");
  ASSERT_TRUE(waivers.ok()) << waivers.status();
  auto log4j = Make("f1", dso::v1::CRITICAL, "GHSA-jfh8-c2jp-5v3q");
  log4j.add_references("CVE-2021-44228");
  GateDecision d = Decide(
      DefaultPolicy(), At(2),
      Inputs({log4j, Make("f2", dso::v1::HIGH, "OLD-RULE"),
              Make("f3", dso::v1::HIGH, "OLD-RULE"),
              Make("f4", dso::v1::HIGH, "HARDCODED", "sast", "tests/t.py"),
              Make("f5", dso::v1::HIGH, "HARDCODED", "sast", "src/t.py")}),
      *waivers, {});
  // log4j waived (alias); the tests/ one waived on its last day; the two
  // OLD-RULE ones count again (their waiver expired yesterday).
  ASSERT_EQ(d.waived.size(), 2u);
  EXPECT_EQ(d.waived[0].waiver.id, "W-log4j");
  EXPECT_EQ(d.waived[0].fingerprints, std::vector<std::string>{"f1"});
  EXPECT_EQ(d.waived[1].waiver.id, "W-tests");
  EXPECT_EQ(d.waived_total, 2u);
  EXPECT_EQ(Find(d, "CRITICAL findings")->actual, 0);
  EXPECT_EQ(Find(d, "HIGH findings")->actual, 3);
  EXPECT_FALSE(d.pass);
  ASSERT_EQ(d.expired.size(), 1u);
  EXPECT_EQ(d.expired[0].id, "W-old");
  ASSERT_EQ(d.stale.size(), 1u);
  EXPECT_EQ(d.stale[0].id, "W-nothing");
  std::string table = DecisionTable(d);
  EXPECT_THAT(table, HasSubstr("expired waiver W-old (owner bob@example.com, "
                               "expired 2026-11-26)"));
  EXPECT_THAT(table, HasSubstr("stale waiver W-nothing"));
  EXPECT_THAT(table, HasSubstr("gate: fail"));
}

TEST(GateDecisionTest, WaiverFileErrors) {
  struct Case {
    const char* yaml;
    const char* want;
  } cases[] = {
      {"waivers:\n  - rule: X\n    owner: a\n    expires: 2026-01-01\n",
       "w.yaml:2: waivers[0]: needs 'reason'"},
      {"waivers:\n  - rule: X\n    reason: r\n    owner: a\n    expires: "
       "soon\n",
       "w.yaml:5: waivers[0].expires: must be a date, YYYY-MM-DD"},
      {"waivers:\n  - rule: X\n    reason: r\n    owner: a\n    expires: "
       "2026-02-30\n",
       "must be a date"},
      {"waivers:\n  - reason: r\n    owner: a\n    expires: 2026-01-01\n",
       "names nothing to waive"},
      {"waivers:\n  - rule: X\n    reason: r\n    owner: a\n",
       "needs 'expires'"},
      {"waivers:\n  - rule: X\n    color: red\n", "unknown key 'color'"},
      {"waiver: []\n", "w.yaml:1: unknown key 'waiver'"},
  };
  for (const auto& c : cases) {
    auto w = ParseWaivers(c.yaml, "w.yaml");
    ASSERT_FALSE(w.ok()) << c.yaml;
    EXPECT_THAT(w.status().message(), HasSubstr(c.want)) << c.yaml;
  }
}

TEST(GateDecisionTest, BaselineCountsOnlyNewFindings) {
  auto in = Inputs({Make("old1", dso::v1::HIGH), Make("old2", dso::v1::HIGH),
                    Make("new", dso::v1::HIGH)});
  GateDecision without = Decide(DefaultPolicy(), At(3), in, {}, {});
  EXPECT_FALSE(without.pass);
  GateDecision with = Decide(DefaultPolicy(), At(3), in, {}, {"old1", "old2"});
  EXPECT_TRUE(with.pass);
  EXPECT_EQ(with.in_baseline, 2u);
  EXPECT_EQ(Find(with, "HIGH findings")->actual, 1);
}

TEST(GateDecisionTest, SecretsAreNeverAllowed) {
  GateDecision d = Decide(
      DefaultPolicy(), At(1),
      Inputs({Make("s", dso::v1::INFO, "generic-api-key", "secrets")}), {}, {});
  EXPECT_FALSE(d.pass);  // below the counted severities, still a secret
  EXPECT_EQ(Find(d, "secrets findings")->actual, 1);
  EXPECT_EQ(d.below_threshold, 1u);
}

TEST(GateDecisionTest, FinalStageCompliance) {
  auto in = Inputs({});
  GateDecision no_sbom = Decide(DefaultPolicy(), At(2, "final"), in, {}, {});
  EXPECT_FALSE(no_sbom.pass);
  EXPECT_EQ(Find(no_sbom, "SBOM present")->actual, 0);
  in.sboms = {"sbom.cdx.json"};
  EXPECT_TRUE(Decide(DefaultPolicy(), At(2, "final"), in, {}, {}).pass);
  // An expired waiver anywhere fails the final gate, not the source gate.
  auto waivers = ParseWaivers(kWaivers, "waivers.yaml");
  EXPECT_FALSE(Decide(DefaultPolicy(), At(2, "final"), in, *waivers, {}).pass);
  EXPECT_TRUE(Decide(DefaultPolicy(), At(2, "source"), in, *waivers, {}).pass);
  // Required signatures fail until there is evidence of them.
  GatePolicy strict = DefaultPolicy();
  strict.final_requirements.signed_image = true;
  GateDecision unsigned_ = Decide(strict, At(2, "final"), in, {}, {});
  EXPECT_FALSE(unsigned_.pass);
  EXPECT_THAT(Find(unsigned_, "image signed and verified")->detail,
              HasSubstr("no verification evidence"));
}

TEST(GateDecisionTest, JunitOneCasePerConditionAndWarnMode) {
  auto in = Inputs({Make("a", dso::v1::HIGH), Make("b", dso::v1::HIGH)});
  GateDecision d = Decide(DefaultPolicy(), At(3), in, {}, {});
  std::string xml = DecisionJunit(d);
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"dso gate: level 3, source "
                             "stage\" tests=\"5\" failures=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"dso.gate.level3.source\" "
                             "name=\"HIGH findings &lt;= 1\">"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"HIGH findings: 2, allowed "
                             "&lt;= 1"));
  EXPECT_THAT(xml, HasSubstr("name=\"CRITICAL findings &lt;= 0\"/>"));
  GateRequest warn = At(3);
  warn.warn_mode = true;
  GateDecision w = Decide(DefaultPolicy(), warn, in, {}, {});
  EXPECT_EQ(GateOutcome(w), "warn");
  std::string wxml = DecisionJunit(w);
  EXPECT_THAT(wxml, Not(HasSubstr("<failure")));
  EXPECT_THAT(wxml, HasSubstr("<skipped message=\"warn mode, would fail"));
}

TEST(GateDecisionTest, JsonAndStatement) {
  GateDecision d =
      Decide(DefaultPolicy(), At(4), Inputs({Make("a", dso::v1::LOW)}), {}, {});
  auto j = nlohmann::json::parse(DecisionJson(d));
  EXPECT_EQ(j["schema"], "dso.gate/v1");
  EXPECT_EQ(j["outcome"], "fail");
  EXPECT_EQ(j["level"], 4);
  EXPECT_EQ(j["counts"]["LOW"], 1);
  auto st = nlohmann::json::parse(DecisionStatement(d));
  EXPECT_EQ(st["_type"], "https://in-toto.io/Statement/v1");
  EXPECT_EQ(st["predicateType"], kGatePredicateType);
  EXPECT_EQ(st["subject"][0]["name"], "scan.json");
  EXPECT_EQ(st["subject"][0]["digest"]["sha256"], std::string(64, 'a'));
  EXPECT_EQ(st["predicate"]["outcome"], "fail");
}

}  // namespace
}  // namespace dso
