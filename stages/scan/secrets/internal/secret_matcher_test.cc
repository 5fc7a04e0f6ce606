#include "stages/scan/secrets/internal/secret_matcher.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/secrets/gitleaks_config.h"

namespace dso {
namespace {

std::unique_ptr<SecretMatcher> Compile(const std::string& toml) {
  auto set = ParseGitleaksConfig(toml, "test.toml", "");
  EXPECT_TRUE(set.ok()) << set.status();
  auto m = SecretMatcher::Compile(*std::move(set));
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

std::vector<SecretMatch> MatchAll(const SecretMatcher& m,
                                  const std::string& text,
                                  const std::string& path = "a.txt") {
  SecretMatcher::Scratch scratch(m);
  std::vector<SecretMatch> out;
  m.Match(text, path, 0, text.size(), scratch, &out);
  return out;
}

TEST(ShannonEntropyTest, MatchesTheFormula) {
  EXPECT_DOUBLE_EQ(ShannonEntropy(""), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abab"), 1);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abcdefgh"), 3);
}

TEST(SecretMatcherTest, FindsEveryMatchWithItsSecretGroup) {
  auto m = Compile(R"([[rules]]
id = "t"
regex = '''tok_([a-z]{6})\b'''
keywords = ["tok_"]
)");
  auto out = MatchAll(*m, "x tok_abcdef y\nTOK_zzzzzz tok_qwerty");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].secret, "abcdef");
  EXPECT_EQ(out[0].start, 2u);
  EXPECT_EQ(out[0].end, 12u);
  EXPECT_EQ(out[1].secret, "qwerty");
}

TEST(SecretMatcherTest, KeywordsGateTheRule) {
  // The regex matches without the keyword; gitleaks would not check it.
  auto m = Compile(R"([[rules]]
id = "t"
regex = '''[0-9a-f]{16}'''
keywords = ["deadbeefkey"]
)");
  EXPECT_TRUE(MatchAll(*m, "value 0123456789abcdef").empty());
  EXPECT_EQ(MatchAll(*m, "DeadBeefKey: 0123456789abcdef").size(), 1u);
}

TEST(SecretMatcherTest, RulesWithoutLiteralsRunWhereTheirKeywordsAre) {
  // "hex" has no literal for Hyperscan to look for first and a rare
  // keyword: it is scanned for apart, in buffers with its keyword only.
  // "short" has a keyword too short to be rare and stays with the rest.
  auto m = Compile(R"([[rules]]
id = "hex"
regex = '''\b([0-9a-f]{40})\b'''
keywords = ["sourcegraph"]

[[rules]]
id = "short"
regex = '''\b[0-9]{12}\b'''
keywords = ["s."]

[[rules]]
id = "tok"
regex = '''tok_[a-z]{6}'''
keywords = ["tok_"]
)");
  EXPECT_THAT(m->gated_rules(), ::testing::ElementsAre(0u));
  const std::string hex(40, 'a');
  auto ids = [&](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& match : MatchAll(*m, text)) {
      out.push_back(m->rules().rules[match.rule].id);
    }
    return out;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(ids("tok_abcdef " + hex), ElementsAre("tok"));
  EXPECT_THAT(ids("Sourcegraph: " + hex + " tok_abcdef"),
              ::testing::UnorderedElementsAre("hex", "tok"));
  EXPECT_THAT(ids("s. 123456789012"), ElementsAre("short"));
  EXPECT_THAT(ids("123456789012"), ElementsAre());
}

TEST(SecretMatcherTest, EntropyThresholdDropsLowEntropy) {
  auto m = Compile(R"([[rules]]
id = "t"
regex = '''key=([a-z0-9]{12})'''
entropy = 3.0
)");
  EXPECT_TRUE(MatchAll(*m, "key=aaaaaaaaaaab").empty());
  EXPECT_EQ(MatchAll(*m, "key=a8f3k2m9q7z1").size(), 1u);
}

TEST(SecretMatcherTest, SecretGroupPicksTheNamedGroup) {
  auto m = Compile(R"([[rules]]
id = "t"
regex = '''(user)=(\w+);(pass)=(\w+)'''
secretGroup = 4
)");
  auto out = MatchAll(*m, "user=bob;pass=hunter22");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].secret, "hunter22");
}

TEST(SecretMatcherTest, PathRestrictsRulesAndPathOnlyRulesAreListed) {
  auto m = Compile(R"([[rules]]
id = "env-only"
regex = '''SECRET=\w+'''
path = '''\.env$'''
[[rules]]
id = "keystore"
path = '''\.jks$'''
)");
  EXPECT_TRUE(MatchAll(*m, "SECRET=abc", "main.c").empty());
  EXPECT_EQ(MatchAll(*m, "SECRET=abc", "prod.env").size(), 1u);
  ASSERT_EQ(m->path_only_rules().size(), 1u);
  EXPECT_EQ(m->rules().rules[m->path_only_rules()[0]].id, "keystore");
}

TEST(SecretMatcherTest, ReportsOnlyMatchesStartingInTheWindow) {
  auto m = Compile("[[rules]]\nid = \"t\"\nregex = '''tok_[a-z]{6}'''\n");
  std::string text = "tok_aaaaaa tok_bbbbbb tok_cccccc";
  SecretMatcher::Scratch scratch(*m);
  std::vector<SecretMatch> out;
  m->Match(text, "a", 5, 20, scratch, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start, 11u);
}

TEST(SecretMatcherTest, CompiledDatabaseIsCachedAndReused) {
  std::string dir = MakeTempDir("dso-hs-cache");
  const std::string toml =
      "[[rules]]\nid = \"t\"\nregex = '''tok_[a-z]{6}'''\n";
  auto db_files = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      n += e.path().extension() == ".db";
    }
    return n;
  };
  for (int round = 0; round < 2; ++round) {
    auto m = SecretMatcher::Compile(*ParseGitleaksConfig(toml, "t.toml", ""),
                                    nullptr, dir);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(MatchAll(**m, "x tok_abcdef").size(), 1u) << "round " << round;
    EXPECT_EQ(db_files(), 1u);
  }
  // A damaged entry is compiled again, not trusted.
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ofstream(e.path(), std::ios::trunc)
        << "dso-hyperscan-cache 1\n0\njunk";
  }
  auto m = SecretMatcher::Compile(*ParseGitleaksConfig(toml, "t.toml", ""),
                                  nullptr, dir);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(MatchAll(**m, "x tok_abcdef").size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(SecretMatcherTest, DefaultRulesCatchRealFormats) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  const std::string gh =
      "ghp_" + std::string("Zq8vN3kLm2Rt7Yw1Xc5Bd9Fg4Hj6Kp0Sa2Ue");
  auto out = MatchAll(**m, "token = \"" + gh + "\"\n");
  bool found = false;
  for (const auto& f : out) {
    if ((*m)->rules().rules[f.rule].id == "github-pat") {
      found = true;
      EXPECT_EQ(f.secret, gh);
    }
  }
  EXPECT_TRUE(found);
}

// A match that ends with the newline it consumed is looked for from the
// start of its own line, however long the line.
TEST(SecretMatcherTest, LongValueAloneOnItsLineIsFound) {
  auto m = Compile(
      "[[rules]]\nid = \"long\"\n"
      "regex = '''\\b(tok_[a-z]{8,})(?:[^a-z_]|$)'''\n");
  for (size_t len : {100, 1000, 1100, 5000}) {
    std::string value = "tok_" + std::string(len, 'q');
    for (const std::string& text :
         {value + "\n", "head\n" + value + "\nmore\n", value + " x"}) {
      auto out = MatchAll(*m, text);
      ASSERT_EQ(out.size(), 1u) << len << " in " << text.substr(0, 12);
      EXPECT_EQ(out[0].secret, value);
    }
  }
}

TEST(SecretMatcherTest, HexValuesNeedTheEntropyOfHex) {
  EXPECT_EQ(EntropyThreshold("9f86d081884c7d659a2feaa0c55ad015", 3.7), 3.0);
  EXPECT_EQ(EntropyThreshold("9F86D081884C7D659A2FEAA0C55AD015", 3.7), 3.0);
  EXPECT_EQ(EntropyThreshold("9f86d081884c7d65", 3.7), 3.0);
  EXPECT_EQ(EntropyThreshold("9f86d081884c7d6", 3.7), 3.7);       // short
  EXPECT_EQ(EntropyThreshold("12345678901234567890", 3.7), 3.7);  // digits
  EXPECT_EQ(EntropyThreshold("9f86D081884c7d659a2f", 3.7), 3.7);  // mixed case
  EXPECT_EQ(EntropyThreshold("9f86d081884c7d659a2g", 3.7), 3.7);  // not hex
  EXPECT_EQ(EntropyThreshold("9f86d081884c7d659a2f", 2.5), 2.5);
  // 32 random hex digits assigned to a token: the default rules flag
  // nearly all (gitleaks 168 of 200; with the base64 threshold, 60).
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  std::mt19937 rng(22);
  int found = 0;
  for (int i = 0; i < 200; ++i) {
    std::string hex;
    for (int k = 0; k < 32; ++k) hex += "0123456789abcdef"[rng() % 16];
    for (const auto& f : MatchAll(**m, "API_TOKEN=\"" + hex + "\"\n")) {
      if (f.secret == hex) {
        ++found;
        break;
      }
    }
  }
  EXPECT_GE(found, 190);
}

TEST(SecretMatcherTest, PasswordsOnCurlAndWgetCommandLines) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  auto secrets_of = [&](const std::string& rule, const std::string& text) {
    std::vector<std::string> out;
    for (const auto& f : MatchAll(**m, text)) {
      if ((*m)->rules().rules[f.rule].id == rule) out.push_back(f.secret);
    }
    return out;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(secrets_of("curl-user-password",
                         "curl -fsS -u deploy:Tr0ub4dor-3x https://h/x\n"),
              ElementsAre("Tr0ub4dor-3x"));
  EXPECT_THAT(secrets_of("curl-user-password",
                         "curl --user 'ci:s3cr3t-pw' -X POST https://h\n"),
              ElementsAre("s3cr3t-pw"));
  EXPECT_THAT(secrets_of("curl-user-password", "curl -uadmin:hunter22 h\n"),
              ElementsAre("hunter22"));
  EXPECT_THAT(secrets_of("wget-password",
                         "wget --user=ci --password=Zx9-pw-77 https://h/f\n"),
              ElementsAre("Zx9-pw-77"));
  EXPECT_THAT(secrets_of("wget-password",
                         "wget --http-password \"q1w2e3r4\" https://h/f\n"),
              ElementsAre("q1w2e3r4"));
  // No password given, or one from a variable: nothing.
  EXPECT_THAT(secrets_of("curl-user-password", "curl -u deploy https://h\n"),
              ElementsAre());
  EXPECT_THAT(
      secrets_of("curl-user-password", "curl -u \"$USER:$PASS\" https://h\n"),
      ElementsAre());
  EXPECT_THAT(
      secrets_of("curl-user-password", "curl --upload-file a:b https://h\n"),
      ElementsAre());
}

TEST(SecretMatcherTest, ShortPrivateKeyBodiesAreKeysToo) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  // A GitHub App key cut short in a test fixture: 40 characters of body.
  const std::string body = "MIIEowIBAAKCAQEAq9Hx2ZlPq3vT7mYsW4kLcR8n";
  auto out = MatchAll(**m, "-----BEGIN RSA PRIVATE KEY-----\n" + body +
                               "\n-----END RSA PRIVATE KEY-----\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ((*m)->rules().rules[out[0].rule].id, "private-key");
  EXPECT_EQ(out[0].secret, body);  // the body, without its line ends
  EXPECT_TRUE(MatchAll(**m,
                       "-----BEGIN RSA PRIVATE KEY-----\n...\n"
                       "-----END RSA PRIVATE KEY-----\n")
                  .empty());
}

TEST(SecretMatcherTest, TokenFormatsOfMoreServices) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  std::mt19937 rng(2212);
  auto random = [&](const std::string& chars, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += chars[rng() % chars.size()];
    return out;
  };
  const std::string alnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const std::string hex = "0123456789abcdef";
  const std::map<std::string, std::string> samples = {
      {"xai-api-key", "xai-" + random(alnum, 80)},
      {"openrouter-api-key", "sk-or-v1-" + random(hex, 64)},
      {"nvidia-api-key", "nvapi-" + random(alnum + "_-", 64)},
      {"langsmith-api-key",
       "lsv2_pt_" + random(hex, 32) + "_" + random(hex, 10)},
      {"pinecone-api-key",
       "pcsk_" + random(alnum, 6) + "_" + random(alnum, 60)},
      {"figma-pat", "figd_" + random(alnum + "_-", 40)},
      {"netlify-pat", "nfp_" + random(alnum, 36)},
      {"posthog-personal-api-key", "phx_" + random(alnum, 43)},
      {"buildkite-api-token", "bkua_" + random(hex, 40)},
      {"facebook-access-token", "EAA" + random(alnum, 150)},
      {"google-oauth-refresh-token", "1//0" + random(alnum + "_-", 99)},
  };
  for (const auto& [rule, token] : samples) {
    // Each alone in a config line: found by its own rule, once.
    auto out = MatchAll(**m, "export TOKEN_VALUE=\"" + token + "\"\n");
    std::vector<std::string> ids;
    for (const auto& f : out) {
      if (f.secret == token) ids.push_back((*m)->rules().rules[f.rule].id);
    }
    EXPECT_THAT(ids, ::testing::Contains(rule)) << token;
  }
}

TEST(SecretMatcherTest, KubeconfigRuleWantsAKubeconfigUser) {
  auto set = DefaultSecretRules();
  ASSERT_TRUE(set.ok());
  auto m = SecretMatcher::Compile(*std::move(set));
  ASSERT_TRUE(m.ok());
  const std::string token = "eyJhbGciOiJSUzI1NiIsImtpZCI6Ik1xR2Z3bFZ2c3E0dTN3";
  auto rules_of = [&](const std::string& text) {
    std::vector<std::string> ids;
    for (const auto& f : MatchAll(**m, text)) {
      ids.push_back((*m)->rules().rules[f.rule].id);
    }
    return ids;
  };
  EXPECT_THAT(rules_of("users:\n- name: ci\n  user:\n"
                       "    client-certificate-data: LS0t\n"
                       "    token: " +
                       token + "\n"),
              ::testing::Contains("kubeconfig-credential"));
  // Any other YAML token: is not a kubeconfig's.
  EXPECT_THAT(rules_of("github:\n  token: " + token + "\n"),
              ::testing::Not(::testing::Contains("kubeconfig-credential")));
}

}  // namespace
}  // namespace dso
