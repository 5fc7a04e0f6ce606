#include "stages/scan/secrets/internal/rule_regex.h"

#include "gtest/gtest.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/secrets/gitleaks_config.h"

namespace dso {
namespace {

TEST(RuleRegex, CountsCapturesAsRE2Does) {
  RE2::Options o = GoRegexOptions();
  for (const char* p :
       {"a(b)c", "(?i)x(?:y)(z)", "(?P<name>a)(b)", "\\((a)\\)", "[(](a)",
        "[]()](b)", "[^](](c)", "(?s:.)(d)", "((a)|(b))"}) {
    auto re = RuleRegex::Parse(p, o);
    ASSERT_TRUE(re.ok()) << p << ": " << re.status();
    EXPECT_EQ((*re)->NumberOfCapturingGroups(),
              RE2(p, o).NumberOfCapturingGroups())
        << p;
  }
}

TEST(RuleRegex, EveryRuleOfBothRuleSetsAgreesWithItsCompiledForm) {
  auto toml = ReadFile(DSO_FIXTURES "/gitleaks/gitleaks.toml");
  ASSERT_TRUE(toml.ok());
  auto gitleaks = ParseGitleaksConfig(*toml, "gitleaks.toml", "/nonexistent");
  auto own = DefaultSecretRules();
  ASSERT_TRUE(gitleaks.ok() && own.ok());
  int checked = 0;
  for (const SecretRuleSet* set : {&*gitleaks, &*own}) {
    for (const SecretRule& rule : set->rules) {
      if (!rule.regex) continue;
      const RE2& compiled = rule.regex->Compiled();
      ASSERT_TRUE(compiled.ok()) << rule.id;
      EXPECT_EQ(rule.regex->NumberOfCapturingGroups(),
                compiled.NumberOfCapturingGroups())
          << rule.id;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(RuleRegex, SyntaxErrorsAreFoundWhenRead) {
  auto re = RuleRegex::Parse("a(b", GoRegexOptions());
  ASSERT_FALSE(re.ok());
  EXPECT_NE(re.status().message().find("missing )"), absl::string_view::npos)
      << re.status();
}

TEST(RuleRegex, OneRE2ParsesButWillNotCompileIsRefusedWhenFirstUsed) {
  // Five runs of 1000 letters: within RE2's syntax limits, beyond the
  // memory it gives a compiled program.
  std::string big;
  for (int i = 0; i < 5; ++i) big += "\\pL{1000}";
  auto re = RuleRegex::Parse(big, GoRegexOptions());
  ASSERT_TRUE(re.ok()) << re.status();
  EXPECT_FALSE((*re)->Refused());  // not compiled yet
  EXPECT_FALSE((*re)->Compiled().ok());
  EXPECT_TRUE((*re)->Refused());
}

}  // namespace
}  // namespace dso
