#include "stages/files/tar_dir.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct Entry {
  std::string path;
  mode_t type = AE_IFREG;
  std::string content;  // file content or link target
  bool hardlink = false;
};

// Writes a tar with exactly these entries, however hostile.
void MakeTar(const std::string& path, const std::vector<Entry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& en : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, en.path.c_str());
    archive_entry_set_filetype(e, en.type);
    archive_entry_set_perm(e, 0644);
    if (en.hardlink) {
      archive_entry_set_hardlink(e, en.content.c_str());
      archive_entry_set_size(e, 0);
    } else if (en.type == AE_IFLNK) {
      archive_entry_set_symlink(e, en.content.c_str());
    } else if (en.type == AE_IFREG) {
      archive_entry_set_size(e, en.content.size());
    }
    archive_write_header(a, e);
    if (en.type == AE_IFREG && !en.hardlink) {
      archive_write_data(a, en.content.data(), en.content.size());
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

class TarDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("tar");
    ASSERT_FALSE(root_.empty());
    fs::create_directories(root_ + "/out");
  }
  void TearDown() override { fs::remove_all(root_); }
  absl::Status Unpack(const std::vector<Entry>& entries,
                      UnpackLimits limits = {}) {
    MakeTar(root_ + "/t.tar", entries);
    return UnpackTar(root_ + "/t.tar", root_ + "/out", limits);
  }
  std::string root_;
};

TEST_F(TarDirTest, PackThenUnpackRoundTrips) {
  fs::create_directories(root_ + "/src/sub");
  std::ofstream(root_ + "/src/a.txt") << "alpha";
  std::ofstream(root_ + "/src/sub/b.txt") << "beta";
  fs::create_symlink("a.txt", root_ + "/src/link");
  std::string tar;
  ASSERT_TRUE(PackDirectory(root_ + "/src", [&](absl::string_view d) {
                tar.append(d.data(), d.size());
                return absl::OkStatus();
              }).ok());
  ASSERT_TRUE(WriteFileAtomically(root_ + "/p.tar", tar).ok());
  auto st = UnpackTar(root_ + "/p.tar", root_ + "/out");
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ReadFile(root_ + "/out/a.txt").value(), "alpha");
  EXPECT_EQ(ReadFile(root_ + "/out/sub/b.txt").value(), "beta");
  EXPECT_EQ(fs::read_symlink(root_ + "/out/link"), "a.txt");
}

TEST_F(TarDirTest, PackLeavesOutWhatItIsToldTo) {
  fs::create_directories(root_ + "/src/.git/objects");
  std::ofstream(root_ + "/src/.git/objects/x") << "object";
  std::ofstream(root_ + "/src/keep.txt") << "keep";
  std::ofstream(root_ + "/src/drop.bin") << "drop";
  std::string tar;
  std::vector<std::string> asked;
  ASSERT_TRUE(PackDirectory(
                  root_ + "/src",
                  [&](absl::string_view d) {
                    tar.append(d.data(), d.size());
                    return absl::OkStatus();
                  },
                  [&](const std::string& path, bool is_dir) {
                    asked.push_back(fs::path(path).filename().string());
                    std::string name = fs::path(path).filename().string();
                    return (is_dir && name == ".git") || name == "drop.bin";
                  })
                  .ok());
  ASSERT_TRUE(WriteFileAtomically(root_ + "/p.tar", tar).ok());
  ASSERT_TRUE(UnpackTar(root_ + "/p.tar", root_ + "/out").ok());
  EXPECT_TRUE(fs::exists(root_ + "/out/keep.txt"));
  EXPECT_FALSE(fs::exists(root_ + "/out/drop.bin"));
  EXPECT_FALSE(fs::exists(root_ + "/out/.git"));
  // Nothing beneath a left-out directory is even looked at.
  EXPECT_EQ(std::count(asked.begin(), asked.end(), "x"), 0);
}

TEST_F(TarDirTest, PackOfAMissingDirectoryFails) {
  EXPECT_FALSE(PackDirectory(root_ + "/none", [](absl::string_view) {
                 return absl::OkStatus();
               }).ok());
}

TEST_F(TarDirTest, RejectsParentTraversal) {
  auto s = Unpack({{"../escape.txt", AE_IFREG, "x"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("../escape.txt"));
  EXPECT_FALSE(fs::exists(root_ + "/escape.txt"));
}

TEST_F(TarDirTest, RejectsAbsolutePaths) {
  auto s = Unpack({{"/tmp/dso-abs-escape", AE_IFREG, "x"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists("/tmp/dso-abs-escape"));
}

TEST_F(TarDirTest, RejectsSymlinksOutOfTheTree) {
  EXPECT_THAT(std::string(Unpack({{"l", AE_IFLNK, "/etc"}}).message()),
              HasSubstr("outside the archive"));
  EXPECT_FALSE(Unpack({{"d/l", AE_IFLNK, "../../x"}}).ok());
  EXPECT_TRUE(fs::is_empty(root_ + "/out"));
}

TEST_F(TarDirTest, RejectsWritingThroughASymlink) {
  // "d" is a harmless link inside the tree, but a later entry must not be
  // written through a link.
  fs::create_directories(root_ + "/out/real");
  auto s = Unpack({{"d", AE_IFLNK, "real"}, {"d/f", AE_IFREG, "x"}});
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(fs::exists(root_ + "/out/real/f"));
}

TEST_F(TarDirTest, RejectsHardLinksOutOfTheTree) {
  auto s = Unpack({{"h", AE_IFREG, "/etc/passwd", true}});
  EXPECT_THAT(std::string(s.message()), HasSubstr("hard link"));
}

TEST_F(TarDirTest, RejectsDeviceFiles) {
  EXPECT_THAT(std::string(Unpack({{"dev", AE_IFCHR, ""}}).message()),
              HasSubstr("device"));
}

TEST_F(TarDirTest, EnforcesSizeAndEntryLimits) {
  UnpackLimits small{.max_total_bytes = 10, .max_entries = 3};
  EXPECT_THAT(
      std::string(
          Unpack({{"big", AE_IFREG, std::string(11, 'x')}}, small).message()),
      HasSubstr("more than 10 bytes"));
  EXPECT_THAT(std::string(Unpack({{"a", AE_IFREG, ""},
                                  {"b", AE_IFREG, ""},
                                  {"c", AE_IFREG, ""},
                                  {"e", AE_IFREG, ""}},
                                 small)
                              .message()),
              HasSubstr("more than 3 entries"));
}

TEST_F(TarDirTest, RejectsGarbage) {
  ASSERT_TRUE(
      WriteFileAtomically(root_ + "/g.tar", std::string(2000, 'g')).ok());
  EXPECT_EQ(UnpackTar(root_ + "/g.tar", root_ + "/out").code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dso
