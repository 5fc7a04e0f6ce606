#include "stages/scan/image/image_scanner.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"
#include "stages/oci/image_testing.h"
#include "stages/scan/secrets/gitleaks_config.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kStatus[] =
    "Package: zlib1g\nStatus: install ok installed\nSource: zlib\n"
    "Version: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\n";
constexpr char kKey[] = "aws_access_key_id = AKIAQYLPMN5HHHFPZAM2\n";

class ImageScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("imgscan");
    fs::create_directories(dir_ + "/scratch");
    auto matcher = SecretMatcher::Compile(*DefaultSecretRules());
    ASSERT_TRUE(matcher.ok()) << matcher.status();
    matcher_ = *std::move(matcher);
    SecretScanOptions o;
    o.threads = 1;
    scanner_ = std::make_unique<SecretScanner>(*matcher_, o);
  }
  void TearDown() override { fs::remove_all(dir_); }

  BaseImage TwoLayers() {
    BaseImage image;
    image.config_json =
        R"({"config":{"Env":["PATH=/usr/bin","AWS_KEY=AKIAQYLPMN5HHHFPZAM2"]}})";
    image.layers.push_back(WriteTestLayer(
        dir_ + "/0.tgz",
        {{"usr/lib/os-release", 'f', 0644, "ID=debian\nVERSION_ID=\"12\"\n"},
         {"etc/os-release", 'l', 0777, "../usr/lib/os-release"},
         {"var/lib/dpkg/status", 'f', 0644, kStatus},
         {"app/.env", 'f', 0600, kKey},
         {"app/requirements.txt", 'f', 0644, "flask==0.12\n"}}));
    image.layers.push_back(WriteTestLayer(
        dir_ + "/1.tgz", {{"app/.wh..env", 'f', 0644, ""},
                          {"app/requirements.txt", 'f', 0644, "flask==2.3.3\n"},
                          {"app/main.py", 'f', 0644, "print(1)\n"}}));
    return image;
  }
  std::string dir_;
  std::unique_ptr<SecretMatcher> matcher_;
  std::unique_ptr<SecretScanner> scanner_;
};

TEST_F(ImageScannerTest, SecretsOfDeletedFilesAreFoundInTheirLayer) {
  ImageScanOptions o;
  o.secrets = scanner_.get();
  o.scratch = dir_ + "/scratch";
  auto r = ScanImageLayers(TwoLayers(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->secrets.size(), 2u);
  ASSERT_EQ(r->secrets[0].findings.size(), 1u);
  EXPECT_EQ(r->secrets[0].findings[0].file, "app/.env");
  EXPECT_TRUE(r->secrets[1].findings.empty());
  EXPECT_EQ(r->view.Find("app/.env"), nullptr);  // deleted, still in layer 0
  ASSERT_EQ(r->config_secrets.findings.size(), 1u);
  EXPECT_EQ(r->config_secrets.findings[0].file, "config:Env");
  EXPECT_EQ(r->files, 6u);
}

TEST_F(ImageScannerTest, InventoryFilesAreTheVisibleVersions) {
  ImageScanOptions o;
  o.scratch = dir_ + "/scratch";
  o.threads = 2;
  auto r = ScanImageLayers(TwoLayers(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*ReadFile(r->rootfs + "/app/requirements.txt"), "flask==2.3.3\n");
  EXPECT_EQ(*ReadFile(r->rootfs + "/var/lib/dpkg/status"), kStatus);
  EXPECT_TRUE(fs::exists(r->rootfs + "/usr/lib/os-release"));
  EXPECT_FALSE(fs::exists(r->rootfs + "/app/.env"));
  EXPECT_FALSE(fs::exists(r->rootfs + "/app/main.py"));
  EXPECT_FALSE(fs::exists(dir_ + "/scratch/layers"));
  EXPECT_EQ(r->view.Find("app/requirements.txt")->layer, 1u);
}

// An inventory file too large to take out is named, never skipped in
// silence: its packages are unknown, so a deps scan cannot pass. Only the
// version the final view shows counts.
TEST_F(ImageScannerTest, InventoryFilesTooLargeAreUnread) {
  ImageScanOptions o;
  o.scratch = dir_ + "/scratch";
  o.max_inventory_file = 12;  // "flask==0.12\n" fits, "flask==2.3.3\n" not
  auto r = ScanImageLayers(TwoLayers(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->unread_inventory,
              ElementsAre(HasSubstr("usr/lib/os-release: 26 bytes"),
                          HasSubstr("var/lib/dpkg/status: "),
                          HasSubstr("app/requirements.txt: 13 bytes, more "
                                    "than the 0 MiB")));
  EXPECT_FALSE(fs::exists(r->rootfs + "/app/requirements.txt"));
}

TEST_F(ImageScannerTest, ADamagedLayerFailsNamingIt) {
  BaseImage image = TwoLayers();
  ASSERT_TRUE(WriteFileAtomically(image.layers[1].path, "garbage").ok());
  ImageScanOptions o;
  o.scratch = dir_ + "/scratch";
  auto r = ScanImageLayers(image, o);
  EXPECT_THAT(r.status().message(), HasSubstr(image.layers[1].digest));
}

TEST_F(ImageScannerTest, ALayerThatIsNotItsDigestFails) {
  BaseImage image = TwoLayers();
  // Another well-formed layer in place of the second.
  WriteTestLayer(image.layers[1].path, {{"app/other", 'f', 0644, "x\n"}});
  ImageScanOptions o;
  o.scratch = dir_ + "/scratch";
  auto r = ScanImageLayers(image, o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(),
              HasSubstr("the layer does not match its digest " +
                        image.layers[1].digest));
}

TEST(IsInventoryFileTest, Names) {
  EXPECT_TRUE(IsInventoryFile("var/lib/dpkg/status"));
  EXPECT_TRUE(IsInventoryFile("srv/app/package-lock.json"));
  EXPECT_TRUE(IsInventoryFile("usr/lib/node_modules/npm/package.json"));
  EXPECT_TRUE(IsInventoryFile("usr/lib/os-release"));
  EXPECT_FALSE(IsInventoryFile("srv/os-release"));
  EXPECT_FALSE(IsInventoryFile("usr/bin/python3"));
}

}  // namespace
}  // namespace dso
