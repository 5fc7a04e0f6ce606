#include "stages/scan/scan_step.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/fake_step_context.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

// Assembled at run time so this file holds no token itself.
const std::string kPat =
    std::string("ghp_") + "Zq8vN3kLm2Rt7Yw1Xc5Bd9Fg4Hj6Kp0Sa2Ue";

class ScanStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("dso-scan");
    ASSERT_FALSE(root_.empty());
    std::ofstream(root_ + "/app.py")
        << "import os\nTOKEN = \"" << kPat << "\"\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  dso::v1::RunStepRequest Request() {
    dso::v1::RunStepRequest req;
    req.set_step("scan");
    req.mutable_scan()->mutable_target()->set_local_path(root_);
    return req;
  }

  std::string root_;
  // No rule cache; a vulnerability database directory that holds none.
  ScanStep step_{ScanDirs{"", ::testing::TempDir() + "/dso-no-osv-db"}};
};

TEST_F(ScanStepTest, FindsMasksReportsAndCounts) {
  auto req = Request();
  req.mutable_scan()->add_reports("sarif");
  req.mutable_scan()->add_reports("gitleaks");
  ASSERT_TRUE(step_.Validate(req).ok());
  FakeStepContext ctx;
  dso::v1::Result r = step_.Run(req, ctx);
  EXPECT_EQ(r.outcome(), dso::v1::SUCCEEDED) << r.message();
  EXPECT_EQ(r.counts().at("CRITICAL"), 1u);
  // Each report under its name and (until the next release) its old one,
  // the same blob.
  ASSERT_EQ(r.artifacts_size(), 4);
  EXPECT_EQ(r.artifacts(0).name(), "findings.sarif");
  EXPECT_EQ(r.artifacts(1).name(), "secrets.sarif");
  EXPECT_EQ(r.artifacts(1).digest(), r.artifacts(0).digest());
  EXPECT_EQ(r.artifacts(2).name(), "findings-gitleaks.json");
  EXPECT_EQ(r.artifacts(3).name(), "secrets-gitleaks.json");
  std::vector<dso::v1::Finding> findings;
  for (const auto& e : ctx.events()) {
    if (e.has_finding()) findings.push_back(e.finding());
    // Nothing the step emits may carry the secret.
    EXPECT_EQ(e.DebugString().find(kPat), std::string::npos);
  }
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id(), "github-pat");
  EXPECT_EQ(findings[0].location().file(), "app.py");
  EXPECT_EQ(findings[0].location().line(), 2u);
  EXPECT_EQ(findings[0].fingerprint(), "app.py:github-pat:2");

  auto gitleaks = ReadFile(ctx.scratch_dir() + "/findings-gitleaks.json");
  ASSERT_TRUE(gitleaks.ok());
  EXPECT_EQ(gitleaks->find(kPat), std::string::npos);
  auto j = nlohmann::json::parse(*gitleaks);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["RuleID"], "github-pat");
  EXPECT_EQ(j[0]["StartColumn"], 10);
  EXPECT_EQ(j[0]["EndColumn"], 49);
  EXPECT_EQ(j[0]["Fingerprint"], "app.py:github-pat:2");
  auto sarif = ReadFile(ctx.scratch_dir() + "/secrets.sarif");
  ASSERT_TRUE(sarif.ok());
  EXPECT_EQ(sarif->find(kPat), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(*sarif)["version"], "2.1.0");
}

TEST_F(ScanStepTest, FailOnTurnsFindingsIntoAPolicyFailure) {
  auto req = Request();
  req.mutable_scan()->set_fail_on(dso::v1::HIGH);
  FakeStepContext ctx;
  EXPECT_EQ(step_.Run(req, ctx).outcome(), dso::v1::POLICY_FAILED);
  std::ofstream(root_ + "/.gitleaksignore")
      << "# reviewed\napp.py:github-pat:2\n";
  FakeStepContext ctx2;
  EXPECT_EQ(step_.Run(req, ctx2).outcome(), dso::v1::SUCCEEDED);
}

TEST_F(ScanStepTest, UserConfigReplacesTheDefaults) {
  auto req = Request();
  auto* s = req.mutable_scan()->mutable_secrets();
  s->set_config_name("team.toml");
  s->set_config_toml(
      "[[rules]]\nid = \"os-import\"\nregex = '''import os'''\n");
  FakeStepContext ctx;
  auto r = step_.Run(req, ctx);
  EXPECT_EQ(r.counts().at("HIGH"), 1u);
  EXPECT_EQ(r.counts().at("CRITICAL"), 0u);
  s->set_config_toml("[[rules]]\nid = \"x\"\nregx = 'a'\n");
  FakeStepContext ctx2;
  auto bad = step_.Run(req, ctx2);
  EXPECT_EQ(bad.outcome(), dso::v1::ERROR);
  EXPECT_THAT(bad.message(), HasSubstr("team.toml:3: rule 'x': unknown key"));
}

TEST_F(ScanStepTest, ValidateNamesBadParameters) {
  auto req = Request();
  req.mutable_scan()->add_scanners("lint");
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("scanner 'lint'"));
  req = Request();
  req.mutable_scan()->add_reports("xml");
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("report format 'xml'"));
  req = Request();
  req.mutable_scan()->set_threads(100000);
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("scan.threads"));
  req = Request();
  req.mutable_scan()->clear_target();
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("scan.target"));
  req = Request();
  req.mutable_scan()->mutable_image()->set_local_path("/img");
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("not both"));
  req.mutable_scan()->clear_target();
  EXPECT_TRUE(step_.Validate(req).ok());
  req.mutable_scan()->set_git(true);
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("directories only"));
  req = Request();
  req.mutable_scan()->add_scanners("image");
  EXPECT_THAT(step_.Validate(req).message(), HasSubstr("needs an image"));
}

}  // namespace
}  // namespace dso
