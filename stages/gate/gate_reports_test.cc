#include "stages/gate/gate_reports.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

// SARIF as a third-party tool writes it (written from the SARIF 2.1.0
// specification): severity from security-severity on the result or its
// rule, else the result's level, else the rule's default level, else
// "warning"; fingerprints from the tool.
constexpr char kOtherToolSarif[] = R"({
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "ExampleSAST", "version": "4.2",
      "rules": [
        {"id": "SQLI", "defaultConfiguration": {"level": "error"},
         "properties": {"security-severity": "9.8"}},
        {"id": "XSS", "defaultConfiguration": {"level": "warning"}},
        {"id": "WEAK-HASH", "defaultConfiguration": {"level": "note"}},
        {"id": "STYLE"}
      ]}},
    "results": [
      {"ruleId": "SQLI", "message": {"text": "query built from input"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/db.py"},
                                            "region": {"startLine": 42}}}],
       "partialFingerprints": {"primaryLocationLineHash": "abc:1"}},
      {"ruleId": "XSS", "message": {"text": "unescaped"},
       "properties": {"security-severity": "7.1"}},
      {"ruleIndex": 1, "level": "note", "message": {"text": "reflected"}},
      {"ruleId": "WEAK-HASH", "message": {"text": "md5"}},
      {"ruleId": "STYLE", "message": {"text": "long line"}},
      {"ruleId": "XSS", "level": "none", "message": {"text": "informational"}},
      {"ruleId": "SQLI", "message": {"text": "query built from input"},
       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/db.py"},
                                            "region": {"startLine": 42}}}],
       "partialFingerprints": {"primaryLocationLineHash": "abc:1"}}
    ]
  }]
})";

TEST(GateReportsTest, SarifFromAnotherTool) {
  GateInputs in;
  ASSERT_TRUE(AddReport(kOtherToolSarif, "sast.sarif", &in).ok());
  EXPECT_EQ(in.read, 7u);
  EXPECT_EQ(in.duplicates, 1u);  // the repeated SQLI result
  ASSERT_EQ(in.findings.size(), 6u);
  std::vector<std::pair<std::string, dso::v1::Severity>> got;
  for (const auto& f : in.findings) got.push_back({f.rule_id(), f.severity()});
  EXPECT_THAT(got, ::testing::ElementsAre(
                       std::pair<std::string, dso::v1::Severity>{
                           "SQLI", dso::v1::CRITICAL},  // rule score 9.8
                       std::pair<std::string, dso::v1::Severity>{
                           "XSS", dso::v1::HIGH},  // result score 7.1
                       std::pair<std::string, dso::v1::Severity>{
                           "XSS", dso::v1::LOW},  // by ruleIndex, level note
                       std::pair<std::string, dso::v1::Severity>{
                           "WEAK-HASH", dso::v1::LOW},  // rule default note
                       std::pair<std::string, dso::v1::Severity>{
                           "STYLE", dso::v1::MEDIUM},  // SARIF's default
                       std::pair<std::string, dso::v1::Severity>{
                           "XSS", dso::v1::INFO}));  // level none
  EXPECT_EQ(in.findings[0].location().file(), "src/db.py");
  EXPECT_EQ(in.findings[0].location().line(), 42u);
  EXPECT_EQ(in.findings[0].fingerprint(), "abc:1");
  EXPECT_EQ(in.findings[0].scanner(), "examplesast");
  EXPECT_EQ(in.digests.size(), 1u);
}

TEST(GateReportsTest, ScoresToSeverities) {
  EXPECT_EQ(SeverityFromScore(10), dso::v1::CRITICAL);
  EXPECT_EQ(SeverityFromScore(9.0), dso::v1::CRITICAL);
  EXPECT_EQ(SeverityFromScore(8.9), dso::v1::HIGH);
  EXPECT_EQ(SeverityFromScore(7.0), dso::v1::HIGH);
  EXPECT_EQ(SeverityFromScore(6.9), dso::v1::MEDIUM);
  EXPECT_EQ(SeverityFromScore(4.0), dso::v1::MEDIUM);
  EXPECT_EQ(SeverityFromScore(3.9), dso::v1::LOW);
  EXPECT_EQ(SeverityFromScore(0.1), dso::v1::LOW);
  EXPECT_EQ(SeverityFromScore(0), dso::v1::INFO);
}

TEST(GateReportsTest, DsoJsonAndItsSarifMergeByFingerprint) {
  constexpr char kJson[] = R"({"tool": {"name": "dso"}, "findings": [
    {"rule_id": "aws-access-token", "severity": "HIGH", "scanner": "secrets",
     "location": {"file": "app/config.py", "line": 3}, "fingerprint": "fp1"},
    {"rule_id": "PYSEC-2021-142", "severity": "CRITICAL", "scanner": "deps",
     "location": {"file": "requirements.txt", "line": 2, "package": "PyYAML",
                  "version": "5.3.1"},
     "fingerprint": "fp2", "references": ["CVE-2020-14343"]}]})";
  constexpr char kSarif[] = R"({"version": "2.1.0", "runs": [{
    "tool": {"driver": {"name": "dso", "rules": [{"id": "aws-access-token"}]}},
    "results": [{"ruleId": "aws-access-token", "level": "error",
                 "properties": {"scanner": "secrets"},
                 "partialFingerprints": {"primaryLocationLineHash": "fp1"}}]}]})";
  GateInputs in;
  ASSERT_TRUE(AddReport(kJson, "secrets.json", &in).ok());
  ASSERT_TRUE(AddReport(kSarif, "secrets.sarif", &in).ok());
  EXPECT_EQ(in.findings.size(), 2u);
  EXPECT_EQ(in.duplicates, 1u);
  EXPECT_EQ(in.findings[1].references(0), "CVE-2020-14343");
  EXPECT_EQ(in.findings[1].location().package(), "PyYAML");
  EXPECT_EQ(in.findings[0].scanner(), "secrets");
}

TEST(GateReportsTest, SbomsAreNotedNotCounted) {
  GateInputs in;
  ASSERT_TRUE(AddReport(R"({"bomFormat": "CycloneDX", "specVersion": "1.5"})",
                        "sbom.cdx.json", &in)
                  .ok());
  EXPECT_EQ(in.sboms.size(), 1u);
  EXPECT_TRUE(in.findings.empty());
}

TEST(GateReportsTest, BadReportsNameFileAndPath) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"{", "r.json: not JSON"},
      {"[]", "r.json: $: is not a report"},
      {R"({"something": 1})", "is neither SARIF 2.1.0"},
      {R"({"version": "2.0.0", "runs": []})", "$.version: must be \"2.1.0\""},
      {R"({"version": "2.1.0", "runs": {}})", "$.runs: must be an array"},
      {R"({"version": "2.1.0", "runs": [{"results": []}]})",
       "$.runs[0].tool.driver: is missing"},
      {R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
          "results": [{"ruleId": "a", "level": "urgent"}]}]})",
       "$.runs[0].results[0].level: 'urgent' is not a SARIF level"},
      {R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
          "results": [{"ruleId": "a", "properties": {"security-severity": "high"}}]}]})",
       "$.runs[0].results[0].properties.security-severity: must be a score"},
      {R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
          "results": [{"message": {"text": "no rule"}}]}]})",
       "$.runs[0].results[0]: has no ruleId"},
      {R"({"findings": [{"rule_id": "x", "severity": "SEVERE"}]})",
       "$.findings[0].severity: 'SEVERE' is not a severity"},
      {R"({"findings": [{"rule_id": "x", "severity": "LOW", "location": {"line": "3"}}]})",
       "$.findings[0].location.line: must be a line number"},
      {R"({"findings": {}})", "$.findings: must be an array"},
      {R"({"bomFormat": "SPDX"})", "$.bomFormat: must be \"CycloneDX\""},
  };
  for (const auto& c : cases) {
    GateInputs in;
    absl::Status s = AddReport(c.text, "r.json", &in);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_THAT(s.message(), HasSubstr(c.want)) << c.text;
    EXPECT_TRUE(in.findings.empty() && in.reports.empty());
  }
  std::string deep(1000, '[');
  GateInputs in;
  EXPECT_THAT(AddReport(deep, "deep.json", &in).message(),
              HasSubstr("deep.json"));
}

}  // namespace
}  // namespace dso
