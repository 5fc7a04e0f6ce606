#include "stages/deploy/rootfs_unpack.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"
#include "stages/oci/image_testing.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = MakeTempDir("dso-unpack-test");
    ASSERT_FALSE(tmp_.empty());
    root_ = tmp_ + "/root";
    outside_ = tmp_ + "/outside";
    fs::create_directories(root_);
    fs::create_directories(outside_);
  }
  void TearDown() override { fs::remove_all(tmp_); }
  BlobRef Layer(const std::vector<TestEntry>& entries) {
    return WriteTestLayer(
        tmp_ + "/layer" + std::to_string(layers_++) + ".tar.gz", entries);
  }
  absl::StatusOr<UnpackResult> Unpack(const std::vector<BlobRef>& layers,
                                      UnpackOptions options = {}) {
    return UnpackLayers(layers, root_, options);
  }

  std::string tmp_;
  std::string root_, outside_;
  int layers_ = 0;
};

TEST_F(UnpackTest, LayersApplyInOrderWithWhiteouts) {
  BlobRef base = Layer({{"etc", 'd', 0755, ""},
                        {"etc/motd", 'f', 0644, "base"},
                        {"etc/old", 'f', 0644, "x"},
                        {"opt/lib/a", 'f', 0644, "a"},
                        {"opt/lib/b", 'f', 0644, "b"},
                        {"bin/tool", 'f', 04755, "#!/bin/sh\n"}});
  BlobRef top = Layer({{"etc/motd", 'f', 0600, "top"},
                       {"etc/.wh.old", 'f', 0644, ""},
                       {"opt/lib/c", 'f', 0644, "c"},
                       {"opt/lib/.wh..wh..opq", 'f', 0644, ""},
                       {"etc/link", 'l', 0777, "motd"},
                       {"etc/hard", 'h', 0644, "etc/motd"}});
  auto r = Unpack({base, top});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Read(root_ + "/etc/motd"), "top");
  EXPECT_FALSE(fs::exists(root_ + "/etc/old"));
  // The opaque marker hides what lower layers had, not its own layer's.
  EXPECT_TRUE(fs::exists(root_ + "/opt/lib/c"));
  EXPECT_FALSE(fs::exists(root_ + "/opt/lib/a"));
  EXPECT_EQ(fs::read_symlink(root_ + "/etc/link"), "motd");
  EXPECT_EQ(Read(root_ + "/etc/hard"), "top");
  struct stat st;
  ASSERT_EQ(stat((root_ + "/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);  // setuid dropped
  ASSERT_EQ(stat((root_ + "/etc/motd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(UnpackTest, NothingLandsOutsideTheRoot) {
  // A symbolic link to the outside, then entries written "through" it: a
  // file, a directory, a hard link, and a climb with "..".
  BlobRef layer = Layer({{"escape", 'l', 0777, outside_},
                         {"up", 'l', 0777, "../outside"},
                         {"escape/file", 'f', 0644, "pwned"},
                         {"up/file2", 'f', 0644, "pwned"},
                         {"escape/dir/file", 'f', 0644, "pwned"},
                         {"../outside/climb", 'f', 0644, "pwned"},
                         {"passwd", 'h', 0644, "escape/victim"},
                         {"dev/evil", 'c', 0644, ""}});
  std::ofstream(outside_ + "/victim") << "secret";
  auto r = Unpack({layer});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(fs::is_empty(outside_ + "/victim") == false);
  for (const auto& e : fs::recursive_directory_iterator(outside_)) {
    EXPECT_EQ(e.path().filename(), "victim") << e.path();
  }
  EXPECT_FALSE(fs::exists(root_ + "/passwd"));
  EXPECT_FALSE(fs::exists(root_ + "/dev/evil"));
  EXPECT_FALSE(r->skipped.empty());
  EXPECT_THAT(r->skipped, Contains(HasSubstr("device")));
}

TEST_F(UnpackTest, IncludeUnpacksOnlyThosePaths) {
  BlobRef layer = Layer({{"usr/bin/python3", 'f', 0755, "elf"},
                         {"app/main.py", 'f', 0644, "print(1)"},
                         {"app/lib/x.py", 'f', 0644, ""}});
  UnpackOptions options;
  options.include = {"/app"};
  auto r = Unpack({layer}, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(fs::exists(root_ + "/app/lib/x.py"));
  EXPECT_FALSE(fs::exists(root_ + "/usr"));
  EXPECT_EQ(r->files, 2u);
}

TEST_F(UnpackTest, BombsAreStopped) {
  BlobRef layer = Layer({{"big", 'f', 0644, std::string(1 << 20, 'x')},
                         {"more", 'f', 0644, "y"}});
  UnpackOptions options;
  options.max_bytes = 1000;
  auto r = Unpack({layer}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("more than 1000"));
  options = {};
  options.max_entries = 1;
  r = Unpack({layer}, options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("entries"));
}

TEST_F(UnpackTest, ALayerThatIsNotItsDigestFails) {
  BlobRef layer = Layer({{"a", 'f', 0644, "a"}});
  layer.digest = "sha256:" + std::string(64, '0');
  auto r = Unpack({layer});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace dso
