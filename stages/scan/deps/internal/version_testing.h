// Test helpers for version orderings: a list must sort exactly as written
// (every pair, both ways), or two spellings must compare equal.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_TESTING_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_TESTING_H_

#include <string>
#include <vector>

#include "gtest/gtest.h"
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

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_VERSION_TESTING_H_
