#include "stages/scan/secrets/internal/gated_rules.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/secrets/gitleaks_config.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

TEST(GatedRules, TheCacheGivesWhatWorkingItOutGives) {
  // gitleaks' own rules: some are gated (dso's built-in ones need none).
  auto toml = ReadFile(DSO_FIXTURES "/gitleaks/gitleaks.toml");
  ASSERT_TRUE(toml.ok()) << toml.status();
  auto rules = ParseGitleaksConfig(*toml, "gitleaks.toml", "/nonexistent");
  ASSERT_TRUE(rules.ok()) << rules.status();
  const auto& list = rules->rules;
  std::vector<bool> plain = GatedRules(list, "");
  ASSERT_EQ(plain.size(), list.size());
  EXPECT_NE(std::count(plain.begin(), plain.end(), true), 0);
  std::string dir = MakeTempDir("gated");
  EXPECT_EQ(GatedRules(list, dir), plain);  // worked out, kept
  std::vector<fs::path> kept;
  for (const auto& e : fs::directory_iterator(dir)) kept.push_back(e.path());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(GatedRules(list, dir), plain);  // read back
  // A damaged entry is worked out again, and replaced.
  ASSERT_TRUE(
      WriteFileAtomically(kept[0].string(), "dso-gated-rules 1\nx").ok());
  EXPECT_EQ(GatedRules(list, dir), plain);
  // Other rules, another entry.
  std::vector<SecretRule> fewer(list.begin(), list.begin() + list.size() / 2);
  GatedRules(fewer, dir);
  EXPECT_EQ(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dso
