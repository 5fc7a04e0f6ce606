#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/temp_dir.h"
#include "stages/scan/deps/inventory.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(InstalledPackagesTest, ParsersFindNameAndVersion) {
  Inventory inv;
  ASSERT_TRUE(ParseInstalledPackageJson(
                  R"({"name": "lodash", "version": "4.17.20", "main": "x"})",
                  "node_modules/lodash/package.json", &inv)
                  .ok());
  ASSERT_TRUE(ParsePythonMetadata("Metadata-Version: 2.1\r\nName: Jinja2\r\n"
                                  "Version: 2.10\r\n\r\nVersion: 9.9 (prose)\n",
                                  "x/Jinja2-2.10.dist-info/METADATA", &inv)
                  .ok());
  ASSERT_EQ(inv.packages.size(), 2u);
  EXPECT_EQ(inv.packages[0].ecosystem, "npm");
  EXPECT_EQ(inv.packages[0].version, "4.17.20");
  EXPECT_EQ(inv.packages[1].ecosystem, "PyPI");
  EXPECT_EQ(inv.packages[1].name, "Jinja2");
  EXPECT_EQ(inv.packages[1].version, "2.10");
  EXPECT_EQ(inv.packages[1].line, 2u);
  EXPECT_THAT(ParseInstalledPackageJson("{}", "p.json", &inv).message(),
              HasSubstr("p.json: no name and version"));
  EXPECT_THAT(ParsePythonMetadata("Name: x\n", "M", &inv).message(),
              HasSubstr("M: no Name and Version"));
}

TEST(InstalledPackagesTest, OnlyInstalledMetadataPathsHaveAParser) {
  EXPECT_TRUE(InstalledParserFor("usr/lib/node_modules/npm/package.json"));
  EXPECT_TRUE(InstalledParserFor("app/node_modules/@babel/core/package.json"));
  EXPECT_TRUE(InstalledParserFor(
      "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA"));
  EXPECT_TRUE(InstalledParserFor("site-packages/six-1.16.egg-info/PKG-INFO"));
  EXPECT_FALSE(InstalledParserFor("app/package.json"));
  EXPECT_FALSE(InstalledParserFor("node_modules/x/lib/package.json"));
  EXPECT_FALSE(InstalledParserFor("node_modules/@scope/package.json"));
  EXPECT_FALSE(InstalledParserFor("METADATA"));
}

TEST(InstalledPackagesTest, CountOnlyWhenAskedFor) {
  std::string dir = MakeTempDir("installed");
  fs::create_directories(dir + "/app/node_modules/left-pad");
  ASSERT_TRUE(
      WriteFileAtomically(dir + "/app/node_modules/left-pad/package.json",
                          R"({"name":"left-pad","version":"1.3.0"})")
          .ok());
  ASSERT_EQ(CollectInventory(dir)->inventory.packages.size(), 0u);
  auto got = CollectInventory(dir, /*installed=*/true);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->inventory.packages.size(), 1u);
  EXPECT_EQ(got->inventory.packages[0].file,
            "app/node_modules/left-pad/package.json");
  fs::remove_all(dir);
}

TEST(InventoryTest, OneFileIsReadInPlace) {
  std::string dir = MakeTempDir("one-file");
  ASSERT_TRUE(WriteFileAtomically(dir + "/requirements.txt",
                                  "jinja2==2.10\nflask==0.12\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/notes.txt", "flask==0.1\n").ok());
  auto got = CollectInventory(dir + "/requirements.txt");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->files, std::vector<std::string>{"requirements.txt"});
  EXPECT_EQ(got->inventory.packages.size(), 2u);
  // Not a lockfile: nothing, and no error.
  auto other = CollectInventory(dir + "/notes.txt");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->files.empty());
  EXPECT_THAT(std::string(CollectInventory(dir + "/gone").status().message()),
              HasSubstr("is not a directory or a file"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dso
