#include "stages/scan/secrets/secret_filter.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

std::shared_ptr<const RE2> Re(const std::string& s) {
  return std::make_shared<const RE2>(s);
}

TEST(SecretFilterTest, OrListAllowsOnAnyCriterion) {
  SecretAllowlist a;
  a.paths = {Re("^test/")};
  a.stopwords = {"fixture"};
  EXPECT_TRUE(Allows(a, {"test/a.py", "", "s3cr3t", "", ""}));
  EXPECT_TRUE(Allows(a, {"src/a.py", "", "MyFixtureKey", "", ""}));
  EXPECT_FALSE(Allows(a, {"src/a.py", "", "s3cr3t", "", ""}));
}

TEST(SecretFilterTest, AndListNeedsEveryCriterionItSets) {
  SecretAllowlist a;
  a.match_all = true;
  a.paths = {Re("^test/")};
  a.regexes = {Re("^AKIA")};
  EXPECT_TRUE(Allows(a, {"test/a.py", "", "AKIAXYZ", "", ""}));
  EXPECT_FALSE(Allows(a, {"src/a.py", "", "AKIAXYZ", "", ""}));
  EXPECT_FALSE(Allows(a, {"test/a.py", "", "ghp_x", "", ""}));
}

TEST(SecretFilterTest, RegexTargetSelectsWhatIsMatched) {
  SecretAllowlist a;
  a.regexes = {Re("nosec")};
  a.regex_target = RegexTarget::kLine;
  EXPECT_TRUE(Allows(a, {"a", "", "s", "key=s", "key=s # nosec"}));
  a.regex_target = RegexTarget::kMatch;
  EXPECT_FALSE(Allows(a, {"a", "", "s", "key=s", "key=s # nosec"}));
}

TEST(SecretFilterTest, CommitListsAndWholeFileExclusion) {
  SecretAllowlist a;
  a.commits = {"abc123"};
  EXPECT_TRUE(Allows(a, {"x", "abc123", "s", "", ""}));
  EXPECT_TRUE(ExcludesFile({a}, "x", "abc123"));
  EXPECT_FALSE(ExcludesFile({a}, "x", "def456"));
  EXPECT_TRUE(ExcludesCommit({a}, "abc123"));
  EXPECT_FALSE(ExcludesCommit({a}, "def456"));
  // A path list that matches anything must not drop whole commits.
  SecretAllowlist any_path;
  any_path.paths = {Re(".*")};
  EXPECT_FALSE(ExcludesCommit({any_path}, "abc123"));
  SecretAllowlist both;
  both.match_all = true;
  both.commits = {"abc123"};
  both.paths = {Re("^test/")};
  EXPECT_FALSE(ExcludesCommit({both}, "abc123"));
  SecretAllowlist p;
  p.paths = {Re("(?:^|/)node_modules(?:/|$)")};
  EXPECT_TRUE(ExcludesFile({p}, "web/node_modules", ""));
}

TEST(SecretFilterTest, InlineAllowComments) {
  EXPECT_TRUE(HasInlineAllow("key = 'abc' # gitleaks:allow"));
  EXPECT_TRUE(HasInlineAllow("key = 'abc' // dso:allow"));
  EXPECT_FALSE(HasInlineAllow("key = 'abc'"));
}

TEST(SecretFilterTest, RegexSetsAnswerAsTheListsDo) {
  SecretAllowlist a;
  a.paths = {Re("^test/"), Re("(?i)\\.md$"), Re("fixtures")};
  a.regexes = {Re("^EXAMPLE"), Re("x{5}")};
  SecretAllowlist with_sets = a;
  BuildAllowlistSets(with_sets);
  ASSERT_NE(with_sets.path_set, nullptr);
  ASSERT_NE(with_sets.regex_set, nullptr);
  for (const char* path : {"test/a", "README.MD", "a/fixtures/b", "src/a"}) {
    for (const char* secret : {"EXAMPLE1", "abxxxxxcd", "s3cr3t"}) {
      MatchContext m{path, "", secret, "", ""};
      EXPECT_EQ(Allows(a, m), Allows(with_sets, m)) << path << " " << secret;
    }
  }
  EXPECT_FALSE(Allows(with_sets, {"src/a", "", "s3cr3t", "", ""}));
  EXPECT_TRUE(ExcludesFile({with_sets}, "docs/x.md", ""));
}

TEST(SecretFilterTest, IgnoreListsSkipBlanksAndComments) {
  EXPECT_EQ(ParseIgnoreList("# reviewed\n\n  a.py:r:1  \nc1:b.py:r:2\n"),
            (std::vector<std::string>{"a.py:r:1", "c1:b.py:r:2"}));
}

TEST(SecretFilterTest, PlaceholdersAreNotSecrets) {
  for (const char* p :
       {"AKIAIOSFODNN7EXAMPLE", "${API_TOKEN}", "$TOKEN", "{{ .Values.key }}",
        "<your-token>", "xxxxxxxxxxxxxxxx", "****************",
        "your_api_key_here", "%SECRET%", "changeme"}) {
    EXPECT_TRUE(IsPlaceholder(p)) << p;
  }
  for (const char* s : {"ghp_Zq8vN3kLm2Rt7Yw1Xc5Bd9Fg4Hj6Kp0Sa2Ue",
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzzzzzzz"}) {
    EXPECT_FALSE(IsPlaceholder(s)) << s;
  }
}

TEST(SecretFilterTest, MostlyOneCharacterIsNotASecret) {
  EXPECT_TRUE(IsPlaceholder("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"));
  EXPECT_TRUE(IsPlaceholder("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
  // A real bearer token of X (Twitter): 21 A's, then random characters.
  EXPECT_FALSE(IsPlaceholder(
      "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifi"
      "RBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNiRVBChTYbJcE3F"));
}

TEST(SecretFilterTest, IdentifiersAreNotSecrets) {
  EXPECT_TRUE(
      LooksLikeIdentifier("GMSACredentialSpecName",
                          "gmsaCredentialSpecName: GMSACredentialSpecName"));
  EXPECT_TRUE(LooksLikeIdentifier("secretKeyRef", "token: secretKeyRef"));
  EXPECT_TRUE(LooksLikeIdentifier("Password", "password: Password"));
  EXPECT_TRUE(
      LooksLikeIdentifier("ClientSecretName", "secret = ClientSecretName"));
  // Random letters, a secret with digits, one word: kept.
  EXPECT_FALSE(
      LooksLikeIdentifier("XkqPwzRtLmNbVcQs", "token: XkqPwzRtLmNbVcQs"));
  EXPECT_FALSE(LooksLikeIdentifier("hQ7vK2mX9pL4", "token: hQ7vK2mX9pL4"));
  EXPECT_FALSE(
      LooksLikeIdentifier("Supercalifragilistic", "pwd: Supercalifragilistic"));
  EXPECT_FALSE(LooksLikeIdentifier("zQxWvKjHgFdSaPoIuY",
                                   "api_key = zQxWvKjHgFdSaPoIuY"));
}

TEST(SecretFilterTest, ExampleInALongValueIsNotAPlaceholder) {
  EXPECT_TRUE(IsPlaceholder("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
  EXPECT_FALSE(
      IsPlaceholder("https://hooks.slack.com/services/TEXAMPLE1/BEXAMPLE2/"
                    "Zq8vN3kLm2Rt7Yw1Xc5Bd9Fg"));
}

}  // namespace
}  // namespace dso
