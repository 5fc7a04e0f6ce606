#include "stages/image_build/layer_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/sha256.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct TarEntry {
  std::string path;
  int type;
  int mode;
  int64_t mtime;
  int64_t uid, gid;
  std::string uname, content;
  bool operator==(const TarEntry&) const = default;
};

std::vector<TarEntry> ReadLayer(const std::string& path) {
  archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  std::vector<TarEntry> out;
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    archive_read_free(a);
    return out;
  }
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    TarEntry t{archive_entry_pathname(e),
               static_cast<int>(archive_entry_filetype(e)),
               static_cast<int>(archive_entry_perm(e)),
               archive_entry_mtime(e),
               archive_entry_uid(e),
               archive_entry_gid(e),
               archive_entry_uname(e) ? archive_entry_uname(e) : "",
               ""};
    if (archive_entry_filetype(e) == AE_IFLNK) {
      t.content = archive_entry_symlink(e);
    } else {
      char buf[4096];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
        t.content.append(buf, n);
      }
    }
    out.push_back(t);
  }
  archive_read_free(a);
  return out;
}

class LayerWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("layer");
    ctx_ = dir_ + "/ctx";
    fs::create_directories(ctx_ + "/bin");
    ASSERT_TRUE(WriteFileAtomically(ctx_ + "/app.py", "print(1)\n").ok());
    ASSERT_TRUE(WriteFileAtomically(ctx_ + "/bin/run", "#!/bin/sh\n").ok());
    chmod((ctx_ + "/bin/run").c_str(), 0700);
    chmod((ctx_ + "/app.py").c_str(), 0600);
    fs::create_symlink("app.py", ctx_ + "/main.py");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, ctx_;
};

TEST_F(LayerWriterTest, EntriesAreSortedNormalisedAndTimeless) {
  auto entries = CollectLayerEntries(ctx_, "/opt/app", {});
  ASSERT_TRUE(entries.ok()) << entries.status();
  auto blob = WriteLayer(*entries, 1700000000, dir_ + "/layer.tgz");
  ASSERT_TRUE(blob.ok()) << blob.status();
  auto tar = ReadLayer(dir_ + "/layer.tgz");
  const int64_t t = 1700000000;
  EXPECT_THAT(
      tar,
      ElementsAre(
          TarEntry{"opt/", AE_IFDIR, 0755, t, 0, 0, "", ""},
          TarEntry{"opt/app/", AE_IFDIR, 0755, t, 0, 0, "", ""},
          TarEntry{"opt/app/app.py", AE_IFREG, 0644, t, 0, 0, "", "print(1)\n"},
          TarEntry{"opt/app/bin/", AE_IFDIR, 0755, t, 0, 0, "", ""},
          TarEntry{"opt/app/bin/run", AE_IFREG, 0755, t, 0, 0, "",
                   "#!/bin/sh\n"},
          TarEntry{"opt/app/main.py", AE_IFLNK, 0777, t, 0, 0, "", "app.py"}));
  // The digests are those of the bytes: the blob's of the file, the
  // diff_id's of the tar inside.
  EXPECT_EQ(blob->digest, Sha256File(dir_ + "/layer.tgz")->digest);
  EXPECT_EQ(blob->size, fs::file_size(dir_ + "/layer.tgz"));
  EXPECT_NE(blob->diff_id, blob->digest);
}

TEST_F(LayerWriterTest, SameInputsGiveTheSameBytesWhateverTheFileTimes) {
  auto entries = CollectLayerEntries(ctx_, "/app", {});
  ASSERT_TRUE(entries.ok());
  auto first = WriteLayer(*entries, 0, dir_ + "/a.tgz");
  fs::last_write_time(ctx_ + "/app.py",
                      fs::file_time_type::clock::now() + std::chrono::hours(5));
  auto second =
      WriteLayer(*CollectLayerEntries(ctx_, "/app", {}), 0, dir_ + "/b.tgz");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->digest, second->digest);
  EXPECT_EQ(*ReadFile(dir_ + "/a.tgz"), *ReadFile(dir_ + "/b.tgz"));
  auto later = WriteLayer(*entries, 1, dir_ + "/c.tgz");
  EXPECT_NE(later->digest, first->digest);
}

TEST_F(LayerWriterTest, ExtraFilesGetTheirModeAndParents) {
  auto entries =
      CollectLayerEntries(ctx_, "/app", {{"app.py", "/etc/app/conf.py", 0600}});
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> paths;
  for (const auto& e : *entries) paths.push_back(e.path);
  EXPECT_THAT(paths,
              ElementsAre("app", "app/app.py", "app/bin", "app/bin/run",
                          "app/main.py", "etc", "etc/app", "etc/app/conf.py"));
  EXPECT_EQ(entries->back().mode, 0600u);
}

TEST_F(LayerWriterTest, BadInputsAreRefusedByName) {
  mkfifo((ctx_ + "/pipe").c_str(), 0600);
  auto fifo = CollectLayerEntries(ctx_, "/app", {});
  EXPECT_THAT(fifo.status().message(), HasSubstr("pipe"));
  fs::remove(ctx_ + "/pipe");
  EXPECT_THAT(CollectLayerEntries(ctx_, "/app/../etc", {}).status().message(),
              HasSubstr("'..'"));
  EXPECT_THAT(CollectLayerEntries(ctx_, "/app", {{"../secret", "/x", -1}})
                  .status()
                  .message(),
              HasSubstr("'..'"));
  EXPECT_THAT(
      CollectLayerEntries(ctx_, "/app", {{"bin", "/x", -1}}).status().message(),
      HasSubstr("is a directory; only regular files"));
  EXPECT_THAT(
      CollectLayerEntries(dir_ + "/none", "/app", {}).status().message(),
      HasSubstr("is not a directory"));
}

}  // namespace
}  // namespace dso
