// Test helpers for version orderings: a list must sort exactly as written
// (every pair, both ways), or two spellings must compare equal.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_TESTING_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_TESTING_H_

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {

inline void ExpectAscending(VersionScheme scheme,
                            const std::vector<std::string>& versions) {
  for (size_t i = 0; i < versions.size(); ++i) {
    for (size_t j = 0; j < versions.size(); ++j) {
      auto c = CompareVersions(scheme, versions[i], versions[j]);
      ASSERT_TRUE(c.ok()) << c.status();
      int want = i < j ? -1 : i > j ? 1 : 0;
      EXPECT_EQ(*c < 0   ? -1
                : *c > 0 ? 1
                         : 0,
                want)
          << versions[i] << " vs " << versions[j];
    }
  }
}

inline void ExpectEqual(VersionScheme scheme, const std::string& a,
                        const std::string& b) {
  for (const auto& [x, y] : {std::pair(a, b), std::pair(b, a)}) {
    auto c = CompareVersions(scheme, x, y);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(*c, 0) << x << " vs " << y;
  }
}

inline std::string VersionFixture(const std::string& name) {
  auto text = ReadFile(std::string(DSO_SOURCE_DIR) +
                       "/stages/scan/deps/internal/testdata/versions/" + name);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

// The order of testdata/versions/NAME, written by the ecosystem's own
// implementation (tests/interop/version_vectors.sh): ascending, one line
// per class of equal versions (tab-separated), '#' lines comments. Checks
// every class within itself, each class against the next, and 20,000
// pairs drawn at random (the same every run); reports each disagreement.
inline void ExpectFixtureOrder(VersionScheme scheme, const std::string& name) {
  const std::string text = VersionFixture(name);
  std::vector<std::vector<std::string>> classes;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    classes.push_back(absl::StrSplit(line, '\t'));
  }
  ASSERT_GT(classes.size(), 10u);
  int failures = 0;
  auto expect = [&](size_t i, size_t j, const std::string& a,
                    const std::string& b) {
    auto c = CompareVersions(scheme, a, b);
    int want = i < j ? -1 : i > j ? 1 : 0;
    if (c.ok() && (*c < 0 ? -1 : *c > 0 ? 1 : 0) == want) return;
    if (++failures <= 20) {
      ADD_FAILURE() << name << ": " << a
                    << (want < 0   ? " < "
                        : want > 0 ? " > "
                                   : " = ")
                    << b << " but dso says "
                    << (c.ok() ? std::to_string(*c) : c.status().ToString());
    }
  };
  for (size_t i = 0; i < classes.size(); ++i) {
    for (const std::string& v : classes[i]) expect(i, i, classes[i][0], v);
    if (i + 1 < classes.size()) {
      expect(i, i + 1, classes[i].back(), classes[i + 1][0]);
    }
  }
  std::mt19937 random(1);
  for (int k = 0; k < 20000; ++k) {
    size_t i = random() % classes.size(), j = random() % classes.size();
    expect(i, j, classes[i][random() % classes[i].size()],
           classes[j][random() % classes[j].size()]);
  }
  EXPECT_EQ(failures, 0) << name << ": disagreements";
}

// testdata/versions/NAME as pairs "A<TAB>B<TAB>RESULT" (-1, 0, 1) from the
// ecosystem's own implementation, for an order that is not transitive and
// so cannot be written as a sorted list. `refused`: versions the
// ecosystem's tool calls invalid yet orders, which dso refuses instead
// (each pair holding one must be an error, not an order).
inline void ExpectFixturePairs(VersionScheme scheme, const std::string& name,
                               const std::vector<std::string>& refused = {}) {
  int failures = 0, pairs = 0;
  for (absl::string_view line : absl::StrSplit(VersionFixture(name), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    ASSERT_EQ(f.size(), 3u) << line;
    ++pairs;
    auto c = CompareVersions(scheme, f[0], f[1]);
    if (std::find(refused.begin(), refused.end(), f[0]) != refused.end() ||
        std::find(refused.begin(), refused.end(), f[1]) != refused.end()) {
      EXPECT_FALSE(c.ok()) << f[0] << " vs " << f[1];
      continue;
    }
    const int want = std::stoi(f[2]);
    if (c.ok() && (*c < 0 ? -1 : *c > 0 ? 1 : 0) == want) continue;
    if (++failures <= 20) {
      ADD_FAILURE() << name << ": " << f[0] << " vs " << f[1] << " is " << want
                    << " but dso says "
                    << (c.ok() ? std::to_string(*c) : c.status().ToString());
    }
  }
  EXPECT_GT(pairs, 100);
  EXPECT_EQ(failures, 0) << name << ": disagreements";
}

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_TESTING_H_
