#include "stages/core/lazy_library.h"

#include <zlib.h>

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(LazyLibraryTest, BindsAFunctionOfTheHeadersType) {
  LazyLibrary zlib({"libdso-no-such-library.so.9", "libz.so.1"});
  decltype(&zlibVersion) version = nullptr;
  ASSERT_TRUE(zlib.Bind("zlibVersion", version).ok());
  ASSERT_NE(version, nullptr);
  EXPECT_STREQ(version(), ZLIB_VERSION);  // the library the headers describe
}

TEST(LazyLibraryTest, AMissingLibraryIsAnErrorThatNamesIt) {
  LazyLibrary missing({"libdso-no-such-library.so.9"});
  absl::Status s = missing.Load();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("libdso-no-such-library.so.9"), std::string::npos)
      << s;
  void (*fn)() = nullptr;
  EXPECT_FALSE(missing.Bind("anything", fn).ok());  // the same answer again
  EXPECT_EQ(fn, nullptr);
}

TEST(LazyLibraryTest, AMissingFunctionIsAnErrorThatNamesIt) {
  LazyLibrary zlib({"libz.so.1"});
  void (*fn)() = nullptr;
  absl::Status s = zlib.Bind("dso_no_such_function", fn);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("dso_no_such_function"), std::string::npos) << s;
  EXPECT_EQ(fn, nullptr);
}

}  // namespace
}  // namespace dso
