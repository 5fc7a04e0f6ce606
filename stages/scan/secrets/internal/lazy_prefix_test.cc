#include "stages/scan/secrets/internal/lazy_prefix.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "stages/scan/secrets/internal/go_regex.h"
#include "stages/scan/secrets/internal/secret_rule.h"

namespace dso {
namespace {

// gitleaks' generic-api-key (v8 default config, MIT).
constexpr char kGenericApiKey[] =
    R"re((?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$))re";

using Spans = std::vector<std::pair<ptrdiff_t, size_t>>;

// Every match of `re` in `text` from the left, each as its groups' spans,
// the way SecretMatcher confirms a window.
std::vector<Spans> AllMatches(const RE2& re, const LazyPrefix* split,
                              const std::string& text) {
  const RE2& search = split ? *split->rest : re;
  int n = search.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> g(n);
  std::vector<Spans> out;
  size_t pos = 0;
  while (pos <= text.size() &&
         (split ? split->FindRest(text, pos, text.size(), g.data(), n)
                : search.Match(text, pos, text.size(), RE2::UNANCHORED,
                               g.data(), n))) {
    size_t start = g[0].data() - text.data();
    size_t end = start + g[0].size();
    if (split) start = split->ExtendStart(text, pos, start);
    Spans spans{{static_cast<ptrdiff_t>(start), end - start}};
    for (int i = 1; i < n; ++i) {
      spans.emplace_back(g[i].data() ? g[i].data() - text.data() : -1,
                         g[i].size());
    }
    out.push_back(spans);
    pos = end > start ? end : end + 1;
  }
  return out;
}

void ExpectSameMatches(const RE2& re, const std::string& text) {
  auto split = SplitLazyPrefix(re);
  ASSERT_TRUE(split.has_value()) << re.pattern();
  EXPECT_EQ(AllMatches(re, &*split, text), AllMatches(re, nullptr, text))
      << "pattern " << re.pattern() << "\ntext: " << text;
}

TEST(LazyPrefixTest, GenericApiKeyFindsTheSameMatchesOnChosenTexts) {
  RE2 re(GoRegexToRe2(kGenericApiKey), GoRegexOptions());
  ASSERT_TRUE(re.ok()) << re.error();
  for (const std::string& text : std::vector<std::string>{
           "api_key = 'abcdefghij1234567890'\n",
           std::string(60, 'a') + "token=abcdefghijklmnop\n",
           std::string(50, 'a') + "token=abcdefghijklmnop\n",
           "xx.-_Secret: 'AbCdEf123456789'",
           "\u212Akey=abcdefghijklmn and \u00e9key=abcdefghijklmnop",
           "key=aaaaaaaaaaaa key=bbbbbbbbbbbbb;keykeykey=cccccccccccc\n",
           "my.app.auth.password := \"Zm9vYmFyYmF6cXV4\"\n",
           "tokentokentoken\nx-token-y: 1234567890abcdef\\n",
           "",
       }) {
    ExpectSameMatches(re, text);
  }
  auto split = SplitLazyPrefix(re);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->max, 50u);
  ASSERT_NE(split->head, nullptr);
  EXPECT_EQ(split->head->pattern(),
            "(?i)(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|"
            "passw(?:or)?d|secret|token)");
  EXPECT_EQ(AllMatches(re, &*split, std::string(60, 'a') + "key=abcdefghijk")
                .front()
                .front(),
            (std::pair<ptrdiff_t, size_t>(10, 75 - 10)));
}

TEST(LazyPrefixTest, SameMatchesOnRandomTexts) {
  std::vector<std::unique_ptr<RE2>> patterns;
  patterns.push_back(
      std::make_unique<RE2>(GoRegexToRe2(kGenericApiKey), GoRegexOptions()));
  patterns.push_back(std::make_unique<RE2>(R"((?i)[a-z.]{0,3}?k(e+)y)"));
  patterns.push_back(std::make_unique<RE2>(R"(\w{0,4}?(=)[^\s]{2,})"));
  patterns.push_back(std::make_unique<RE2>(R"([^=]{0,2}?=(\w*)$)"));
  // REST led by a group: tried anchored where the group matches.
  patterns.push_back(
      std::make_unique<RE2>(R"((?i)[a-z.]{0,3}?(?:k|ke|e\b)(e*)(?:y|=)\w)"));
  patterns.push_back(std::make_unique<RE2>(
      R"([\w.]{0,5}?(?:token|to|k[e=]y)[ =:]{0,2}(\S+)$)"));
  const std::vector<std::string> pieces = {
      "a",      "K", "key", "token", "=",          ":",    " ",   "'",
      "\"",     "-", ".",   "_",     "1",          "Z",    "\n",  "\u00e9",
      "\u212A", "/", "+",   "eee",   "abcdefghij", "\xff", "\x80"};
  std::mt19937 rng(7);
  for (const auto& re : patterns) {
    ASSERT_TRUE(re->ok()) << re->error();
    bool led_by_group = re->pattern().find("?(?:") != std::string::npos;
    EXPECT_EQ(SplitLazyPrefix(*re)->head != nullptr, led_by_group)
        << re->pattern();
    for (int t = 0; t < 3000; ++t) {
      std::string text;
      int len = std::uniform_int_distribution<int>(0, 40)(rng);
      for (int i = 0; i < len; ++i) {
        text += pieces[std::uniform_int_distribution<size_t>(
            0, pieces.size() - 1)(rng)];
      }
      ExpectSameMatches(*re, text);
      if (HasFailure()) return;
    }
  }
}

TEST(LazyPrefixTest, OnlyALeadingGroupThatMustMatchSomethingIsAHead) {
  for (const char* p : {
           "[a-z]{0,3}?(?:a|b)?c",  // optional
           "[a-z]{0,3}?(?:a|b)*c",  // repeated
           "[a-z]{0,3}?(?:a|)c",    // may match nothing
           "[a-z]{0,3}?(a|b)c",     // capturing
           "[a-z]{0,3}?(?:a|b)",    // nothing after it
       }) {
    RE2 re(p);
    ASSERT_TRUE(re.ok()) << p;
    auto split = SplitLazyPrefix(re);
    ASSERT_TRUE(split.has_value()) << p;
    EXPECT_EQ(split->head, nullptr) << p;
  }
}

TEST(LazyPrefixTest, OtherShapesAreNotSplit) {
  for (const char* p : {
           "[a-z]{0,3}b|c",  // the alternation takes the prefix with it
           "[a-z]{0,3}b",    // greedy: the run would take what REST needs
           "[a-z]*?b",       // unbounded
           "(?i)abc",        // no prefix
           "[a-z]{0,3}?",    // nothing after it
           "(a)[a-z]{0,3}?b",
       }) {
    RE2 re(p);
    ASSERT_TRUE(re.ok()) << p;
    EXPECT_FALSE(SplitLazyPrefix(re).has_value()) << p;
  }
}

}  // namespace
}  // namespace dso
