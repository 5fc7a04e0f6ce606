#include "stages/core/report.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dso {
namespace {

std::vector<dso::v1::Finding> Sample() {
  std::vector<dso::v1::Finding> out(2);
  out[0].set_rule_id("aws-access-key");
  out[0].set_title("AWS access key");
  out[0].set_severity(dso::v1::HIGH);
  out[0].mutable_location()->set_file("src/app.py");
  out[0].mutable_location()->set_line(12);
  out[0].mutable_location()->set_column(5);
  out[0].set_fingerprint("abc");
  out[0].set_evidence("AKIA*****");
  out[1].set_rule_id("GHSA-xxxx");
  out[1].set_severity(dso::v1::CRITICAL);
  out[1].mutable_location()->set_file("requirements.txt");
  out[1].mutable_location()->set_package("django");
  out[1].mutable_location()->set_version("1.0");
  return out;
}

TEST(ReportTest, SarifHasRulesResultsAndRequiredFields) {
  auto j =
      nlohmann::json::parse(SarifReport({"dso", "0.1", "https://x"}, Sample()));
  EXPECT_EQ(j["version"], "2.1.0");
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "dso");
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), 2u);
  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["level"], "error");
  EXPECT_EQ(results[0]["message"]["text"], "AWS access key (AKIA*****)");
  const auto& region = results[0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 12);
  EXPECT_EQ(region["startColumn"], 5);
  // A package finding without a line still gets startLine 1 and a message.
  EXPECT_EQ(
      results[1]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_EQ(results[1]["message"]["text"], "GHSA-xxxx in django@1.0");
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    if (rule["id"] == "GHSA-xxxx") {
      EXPECT_EQ(rule["properties"]["security-severity"], "9.5");
    }
  }
}

TEST(ReportTest, JsonReportCountsAndLeavesOutEmptyFields) {
  auto j = nlohmann::json::parse(JsonReport({"dso", "0.1", ""}, Sample()));
  EXPECT_EQ(j["counts"]["HIGH"], 1);
  EXPECT_EQ(j["counts"]["CRITICAL"], 1);
  EXPECT_EQ(j["findings"][0]["location"]["line"], 12);
  EXPECT_FALSE(j["findings"][1].contains("evidence"));
}

}  // namespace
}  // namespace dso

namespace dso {
namespace {

// A file name or a line of a scanned file is not always UTF-8: the reports
// replace what is not, and are still written.
TEST(ReportTest, InvalidUtf8IsReplacedNotThrownOn) {
  std::vector<dso::v1::Finding> findings(1);
  findings[0].set_rule_id("r");
  findings[0].mutable_location()->set_file("a\xff.py");
  findings[0].set_evidence("FROM x\xc3");
  findings[0].set_resource("/a\xff.py.");
  for (const std::string& report : {SarifReport({"dso", "1", ""}, findings),
                                    JsonReport({"dso", "1", ""}, findings)}) {
    auto j = nlohmann::json::parse(report, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << report;
    EXPECT_NE(report.find("\xEF\xBF\xBD"), std::string::npos);
  }
}

}  // namespace
}  // namespace dso
