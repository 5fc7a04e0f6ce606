#include "stages/scan/deps/go_buildinfo.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

std::string Varint(size_t n) {
  std::string out;
  do {
    unsigned char b = n & 0x7f;
    n >>= 7;
    out.push_back(static_cast<char>(b | (n ? 0x80 : 0)));
  } while (n);
  return out;
}

// Build information laid out as Go 1.18+ writes it.
std::string BuildInfo(const std::string& version, const std::string& lines) {
  std::string header("\xff Go buildinf:", 14);
  header += '\x08';  // pointer size
  header += '\x02';  // flags: strings inline
  header += std::string(16, '\0');
  std::string sentinel(16, '\x01');
  std::string mod = sentinel + lines + sentinel;
  return header + Varint(version.size()) + version + Varint(mod.size()) + mod;
}

TEST(GoBuildInfoTest, ModulesAndStdlibWithReplacements) {
  std::string info =
      BuildInfo("go1.21.3 X:boringcrypto",
                "path\texample.com/app\nmod\texample.com/app\t(devel)\t\n"
                "dep\tgolang.org/x/net\tv0.7.0\th1:abc=\n"
                "dep\tgithub.com/a/b\tv1.0.0\th1:def=\n"
                "=>\tgithub.com/fork/b\tv1.0.1\th1:ghi=\n"
                "build\t-compiler=gc\n");
  // Found whatever the chunking, after junk.
  std::string stream = std::string(5000, 'x') + info + std::string(100, 'y');
  for (size_t chunk : {1, 7, 13, 14, 4096}) {
    GoBuildInfoFinder finder;
    for (size_t i = 0; i < stream.size(); i += chunk) {
      finder.Feed(absl::string_view(stream).substr(i, chunk));
    }
    ASSERT_TRUE(finder.found()) << chunk;
    Inventory inv;
    ASSERT_TRUE(ParseGoBuildInfo(finder.data(), "usr/bin/app", &inv).ok());
    ASSERT_EQ(inv.packages.size(), 3u) << chunk;
    EXPECT_EQ(inv.packages[0].name, "stdlib");
    EXPECT_EQ(inv.packages[0].version, "1.21.3");
    EXPECT_EQ(inv.packages[1].name, "golang.org/x/net");
    EXPECT_EQ(inv.packages[1].version, "0.7.0");
    EXPECT_EQ(inv.packages[2].name, "github.com/fork/b");
    EXPECT_EQ(inv.packages[2].version, "1.0.1");
    EXPECT_EQ(inv.packages[2].file, "usr/bin/app");
  }
}

TEST(GoBuildInfoTest, OldOrDamagedInformationIsNamed) {
  Inventory inv;
  std::string old = BuildInfo("go1.17", "");
  old[15] = 0;  // version behind pointers: before Go 1.18
  EXPECT_THAT(ParseGoBuildInfo(old, "bin/x", &inv).message(),
              HasSubstr("bin/x: Go build information from before Go 1.18"));
  std::string cut = BuildInfo("go1.21.3", "dep\ta\tv1\t\n");
  EXPECT_THAT(ParseGoBuildInfo(cut.substr(0, 40), "bin/y", &inv).message(),
              HasSubstr("cut short"));
  EXPECT_TRUE(inv.packages.empty());
}

// A Go program Debian ships (skopeo, installed by scripts/setup.sh).
TEST(GoBuildInfoTest, ARealGoBinary) {
  std::ifstream in("/usr/bin/skopeo", std::ios::binary);
  if (!in) GTEST_SKIP() << "/usr/bin/skopeo missing: run scripts/setup.sh";
  GoBuildInfoFinder finder;
  char buf[1 << 16];
  while (!finder.done() && in.read(buf, sizeof(buf)).gcount() > 0) {
    finder.Feed(absl::string_view(buf, in.gcount()));
  }
  ASSERT_TRUE(finder.found());
  Inventory inv;
  ASSERT_TRUE(ParseGoBuildInfo(finder.data(), "usr/bin/skopeo", &inv).ok());
  ASSERT_FALSE(inv.packages.empty());
  EXPECT_EQ(inv.packages[0].name, "stdlib");
  EXPECT_THAT(inv.packages[0].version, ::testing::StartsWith("1."));
}

}  // namespace
}  // namespace dso
