#include "gtest/gtest.h"
#include "stages/scan/deps/internal/version.h"
#include "stages/scan/deps/internal/version_testing.h"

namespace dso {
namespace {

constexpr VersionScheme kApk = VersionScheme::kApk;

TEST(ApkVersionTest, SuffixesLettersAndRevisions) {
  // apk-package(5): alpha < beta < pre < rc < (none) < cvs < svn < git < hg
  // < p; a revision after the plain version; a letter after any suffix.
  ExpectAscending(
      kApk, {"1.0_alpha", "1.0_alpha1", "1.0_alpha2", "1.0_beta", "1.0_pre1",
             "1.0_rc1",   "1.0_rc2",    "1.0",        "1.0-r1",   "1.0-r2",
             "1.0-r10",   "1.0_cvs",    "1.0_svn",    "1.0_git",  "1.0_hg",
             "1.0_p1",    "1.0_p1-r1",  "1.0_p2",     "1.0a",     "1.0a-r1",
             "1.0b",      "1.0.1",      "1.1",        "1.10",     "2"});
}

TEST(ApkVersionTest, NumbersAndLeadingZeros) {
  ExpectAscending(kApk,
                  {"0.9", "0.10", "1.0", "1.0.1", "1.1", "1.2.3", "1.2.10"});
  ExpectAscending(kApk, {"1.0", "1.0.0"});
  // After the first number, a leading zero compares as text.
  ExpectAscending(kApk, {"1.001", "1.01", "1.1"});
  ExpectEqual(kApk, "01.2", "1.2");  // the first number counts by value
  ExpectEqual(kApk, "1.2-r0", "1.2-r00");
  ExpectEqual(kApk, "1.2_git20230101~abc123-r0", "1.2_git20230101-r0");
}

TEST(ApkVersionTest, RealAlpinePackages) {
  // OpenSSL's letters, curl, busybox, a git snapshot.
  ExpectAscending(kApk, {"1.1.1t-r0", "1.1.1t-r2", "1.1.1u-r0", "1.1.1w-r1",
                         "3.0.8-r0", "3.0.8-r3", "3.1.0-r0", "3.1.4-r5"});
  ExpectAscending(kApk, {"7.79.1-r5", "7.80.0-r0", "8.0.1-r3", "8.4.0-r1"});
  ExpectAscending(kApk,
                  {"1.35.0_rc1-r0", "1.35.0-r0", "1.35.0-r17", "1.36.1-r2"});
  ExpectAscending(kApk, {"1.2.3-r5", "1.2.3_git20230101-r0", "1.2.4-r0"});
  ExpectAscending(kApk, {"1.8.7_p72-r1", "1.8.7_p160-r2", "1.9.3_p194-r0",
                         "2.0.0_p0-r0", "2.0.0_p481-r2", "2.1.5-r0"});
  // A number after the letter, as apk-tools reads it (Alpine's own
  // versions such as 1.9.5p2-r1): the letter, then that number.
  ExpectAscending(kApk, {"1.9.5-r0", "1.9.5p1-r0", "1.9.5p2-r0", "1.9.5p2-r1",
                         "1.9.5p10-r0", "1.9.5q-r0", "1.9.6-r0"});
}

TEST(ApkVersionTest, WhatIsNotAVersion) {
  for (const char* bad :
       {"", "a1", "1..2", "1.2_foo", "1.2-x", "1.2-r", "1.2 3", "1.2AB", "1.",
        "1.2~", "1.2-r1-r2", "1.2a."}) {
    EXPECT_FALSE(CompareApk(bad, "1.0").ok()) << bad;
  }
}

// apk-tools' own test vectors (test/version.data): the lines with
// suffixes, letters, leading zeros and dates. Two of its versions are
// invalid by its own grammar (an unknown suffix, two letters) and apk-tools
// still orders them, token by token until the invalid one; dso refuses
// them, so that a package whose version cannot be read is reported, not
// matched by a guess (docs/deps.md).
TEST(ApkVersionTest, AgreesWithApkToolsVectors) {
  ExpectFixturePairs(VersionScheme::kApk, "apk-pairs.txt", {"23_foo", "1.0bc"});
}

}  // namespace
}  // namespace dso
