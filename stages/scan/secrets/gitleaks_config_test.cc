#include "stages/scan/secrets/gitleaks_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/scan/secrets/internal/secret_matcher.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

const SecretRule* Find(const SecretRuleSet& set, const std::string& id) {
  for (const auto& r : set.rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

TEST(GitleaksConfigTest, LoadsGitleaksOwnDefaultConfigCompletely) {
  auto set = LoadGitleaksConfig(DSO_FIXTURES "/gitleaks/gitleaks.toml");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->rules.size(), 222u);
  EXPECT_EQ(set->title, "gitleaks config");
  ASSERT_EQ(set->allowlists.size(), 1u);
  EXPECT_GT(set->allowlists[0].paths.size(), 10u);
  const SecretRule* aws = Find(*set, "aws-access-token");
  ASSERT_NE(aws, nullptr);
  EXPECT_NE(aws->regex, nullptr);
  EXPECT_FALSE(aws->keywords.empty());
  const SecretRule* pkcs12 = Find(*set, "pkcs12-file");
  ASSERT_NE(pkcs12, nullptr);
  EXPECT_EQ(pkcs12->regex, nullptr);  // a path-only rule
  EXPECT_NE(pkcs12->path, nullptr);
  // Every regex also goes through the Hyperscan prefilter: none falls back.
  std::vector<std::string> notes;
  auto matcher = SecretMatcher::Compile(*std::move(set), &notes);
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  EXPECT_THAT(notes, ::testing::IsEmpty());
  // Scanned for apart, where their keywords are: rules with a branch
  // Hyperscan has no literal for, and rare keywords.
  std::vector<std::string> gated;
  for (size_t r : (*matcher)->gated_rules()) {
    gated.push_back((*matcher)->rules().rules[r].id);
  }
  EXPECT_THAT(gated, ::testing::UnorderedElementsAre(
                         "aws-access-token", "facebook-access-token",
                         "flyio-access-token", "sourcegraph-access-token"));
}

TEST(GitleaksConfigTest, DefaultRulesLoadAndCompile) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_GE(set->rules.size(), 150u);
  std::vector<std::string> notes;
  auto matcher = SecretMatcher::Compile(*std::move(set), &notes);
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  EXPECT_THAT(notes, ::testing::IsEmpty());
}

TEST(GitleaksConfigTest, ErrorsNameFileLineRuleAndReason) {
  auto bad_key = ParseGitleaksConfig(R"([[rules]]
id = "r1"
regex = 'x'
severty = "HIGH"
)",
                                     "my.toml", "");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_THAT(bad_key.status().message(),
              HasSubstr("my.toml:4: rule 'r1': unknown key 'severty'"));

  auto bad_regex = ParseGitleaksConfig(
      "[[rules]]\nid = \"r2\"\nregex = '''a(b'''\n", "my.toml", "");
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_THAT(bad_regex.status().message(),
              HasSubstr("rule 'r2': 'regex' does not compile"));

  auto bad_toml = ParseGitleaksConfig("[[rules]\n", "my.toml", "");
  ASSERT_FALSE(bad_toml.ok());
  EXPECT_THAT(bad_toml.status().message(), HasSubstr("not valid TOML"));

  auto no_pattern =
      ParseGitleaksConfig("[[rules]]\nid = \"r3\"\n", "my.toml", "");
  EXPECT_THAT(no_pattern.status().message(),
              HasSubstr("needs a 'regex', a 'path' or both"));

  auto group = ParseGitleaksConfig(
      "[[rules]]\nid = \"r4\"\nregex = '(a)'\nsecretGroup = 2\n", "my.toml",
      "");
  EXPECT_THAT(group.status().message(), HasSubstr("secretGroup 2"));

  auto empty = ParseGitleaksConfig("title = \"x\"\n", "my.toml", "");
  EXPECT_THAT(empty.status().message(), HasSubstr("my.toml: defines no rules"));

  auto target = ParseGitleaksConfig(
      "[[allowlists]]\ntargetRules = [\"nope\"]\nregexes = ['x']\n", "my.toml",
      "");
  EXPECT_THAT(target.status().message(), HasSubstr("rule 'nope'"));
}

TEST(GitleaksConfigTest, ExtendDefaultsDisablesAndMerges) {
  auto set = ParseGitleaksConfig(R"(
[extend]
useDefault = true
disabledRules = ["jwt"]

[[rules]]
id = "github-pat"
keywords = ["extra"]
[[rules.allowlists]]
stopwords = ["Fixture"]

[[rules]]
id = "acme-token"
regex = '''acme_[a-z]{10}'''
keywords = ["ACME_"]

[[allowlists]]
targetRules = ["acme-token"]
paths = ['''^test/''']
)",
                                 "team.toml", "");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(Find(*set, "jwt"), nullptr);
  const SecretRule* gh = Find(*set, "github-pat");
  ASSERT_NE(gh, nullptr);
  EXPECT_NE(gh->regex, nullptr);  // kept from the default
  EXPECT_THAT(gh->keywords, ::testing::Contains("extra"));
  EXPECT_THAT(gh->keywords, ::testing::Contains("ghp_"));
  ASSERT_EQ(gh->allowlists.size(), 1u);
  EXPECT_EQ(gh->allowlists[0].stopwords[0], "fixture");  // lower-cased
  const SecretRule* acme = Find(*set, "acme-token");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->keywords[0], "acme_");
  EXPECT_EQ(acme->allowlists.size(), 1u);  // the targeted global list
}

TEST(GitleaksConfigTest, ExtendPathIsRelativeToTheConfig) {
  auto set = ParseGitleaksConfig(
      "[extend]\npath = \"gitleaks.toml\"\ndisabledRules = [\"generic-api-"
      "key\"]\n",
      "team.toml", DSO_FIXTURES "/gitleaks");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->rules.size(), 221u);
  auto missing = ParseGitleaksConfig("[extend]\npath = \"nope.toml\"\n",
                                     "team.toml", "/nonexistent");
  EXPECT_THAT(missing.status().message(), HasSubstr("[extend] path"));
}

TEST(GitleaksConfigTest, ACheckedConfigIsParsedOnceUnlessItReadsAFile) {
  const std::string own =
      "[[rules]]\nid = \"mine\"\nregex = '''tok_[a-z]{8}'''\n";
  auto checked = CheckGitleaksConfig(own, "own.toml", ".");
  ASSERT_TRUE(checked.ok()) << checked.status();
  auto again = ParseGitleaksConfig(own, "own.toml", "/nonexistent",
                                   ExtendPaths::kBeneathBaseDir);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->rules.size(), 1u);
  EXPECT_EQ(again->rules[0].id, "mine");
  // An [extend] path is resolved again by every parse: what dsoctl read
  // from anywhere is not handed to a parse that must stay beneath a
  // directory holding no such file.
  const std::string team = "[extend]\npath = \"gitleaks.toml\"\n";
  ASSERT_TRUE(
      CheckGitleaksConfig(team, "team.toml", DSO_FIXTURES "/gitleaks").ok());
  auto beneath = ParseGitleaksConfig(team, "team.toml", "/nonexistent",
                                     ExtendPaths::kBeneathBaseDir);
  EXPECT_THAT(beneath.status().message(), HasSubstr("[extend] path"));
}

}  // namespace
}  // namespace dso
