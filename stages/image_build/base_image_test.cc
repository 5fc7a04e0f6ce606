// How the image builder meets a base image (an OCI layout, stages/oci)
// broken in one way each.
#include <archive.h>
#include <archive_entry.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/sha256.h"
#include "stages/core/temp_dir.h"
#include "stages/image_build/image_builder.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
namespace fs = std::filesystem;

// Base images made broken in one way each; every one is refused with a
// message naming what is wrong, and nothing is written outside scratch.
class OciLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("oci");
    fs::create_directories(dir_ + "/ctx");
    fs::create_directories(dir_ + "/scratch");
    ASSERT_TRUE(WriteFileAtomically(dir_ + "/ctx/a", "a\n").ok());
    BuildSpec s;
    s.context_dir = dir_ + "/ctx";
    s.tag = "v1";
    auto built = BuildImage(s, dir_ + "/img", dir_ + "/scratch");
    ASSERT_TRUE(built.ok()) << built.status();
    built_ = *built;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Blob(const std::string& digest) {
    return dir_ + "/img/blobs/sha256/" + digest.substr(7);
  }
  std::string Error(const std::string& ref = "") {
    auto r = ReadBaseImage(dir_ + "/img", dir_ + "/scratch", ref);
    return r.ok() ? "ok" : std::string(r.status().message());
  }
  // Rewrites the manifest with `edit` and points the index at it.
  void EditManifest(const std::function<void(json&)>& edit) {
    json m = json::parse(*ReadFile(Blob(built_.manifest_digest)));
    edit(m);
    std::string text = m.dump();
    std::string digest = Sha256Digest(text);
    ASSERT_TRUE(WriteFileAtomically(Blob(digest), text).ok());
    json index = json::parse(*ReadFile(dir_ + "/img/index.json"));
    index["manifests"][0]["digest"] = digest;
    index["manifests"][0]["size"] = text.size();
    ASSERT_TRUE(
        WriteFileAtomically(dir_ + "/img/index.json", index.dump()).ok());
  }
  std::string dir_;
  BuildResult built_;
};

TEST_F(OciLayoutTest, AGoodLayoutReads) {
  auto base = ReadBaseImage(dir_ + "/img", dir_ + "/scratch");
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(base->manifest_digest, built_.manifest_digest);
  EXPECT_EQ(base->layers.size(), 1u);
  EXPECT_EQ(base->layers[0].media_type, kOciLayerGzipType);
  EXPECT_EQ(Error("v1"), "ok");
  EXPECT_THAT(Error("v2"), HasSubstr("has no image tagged 'v2'"));
}

TEST_F(OciLayoutTest, DigestsThatAreNotSha256HexNeverBecomePaths) {
  json index = json::parse(*ReadFile(dir_ + "/img/index.json"));
  index["manifests"][0]["digest"] = "sha256:../../../etc/passwd";
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/img/index.json", index.dump()).ok());
  EXPECT_THAT(Error(), HasSubstr("unsupported digest"));
}

TEST_F(OciLayoutTest, TamperedBlobsAreCaught) {
  ASSERT_TRUE(WriteFileAtomically(Blob(built_.manifest_digest), "{}").ok());
  EXPECT_THAT(Error(), HasSubstr("does not match its digest"));
}

TEST_F(OciLayoutTest, TamperedLayerIsCaughtWhenCopied) {
  ASSERT_TRUE(WriteFileAtomically(Blob(built_.layer.digest), "junk").ok());
  auto base = ReadBaseImage(dir_ + "/img", dir_ + "/scratch");
  ASSERT_TRUE(base.ok());
  auto out = OciLayoutWriter::Create(dir_ + "/out");
  ASSERT_TRUE(out.ok());
  EXPECT_THAT(out->CopyBlob(base->layers[0]).message(),
              HasSubstr("does not match its descriptor"));
}

TEST_F(OciLayoutTest, UnsupportedLayerTypeAndMissingConfigAreNamed) {
  EditManifest([](json& m) {
    m["layers"][0]["mediaType"] = "application/vnd.example.weird";
  });
  EXPECT_THAT(Error(), HasSubstr("unsupported layer media type "
                                 "'application/vnd.example.weird'"));
  EditManifest([](json& m) { m.erase("config"); });
  EXPECT_THAT(Error(), HasSubstr("not an image manifest"));
}

TEST_F(OciLayoutTest, NotALayoutOrNotJson) {
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/img/index.json", "{nope").ok());
  EXPECT_THAT(Error(), HasSubstr("is not JSON"));
  fs::remove(dir_ + "/img/oci-layout");
  EXPECT_THAT(Error(), HasSubstr("not an OCI image layout"));
  EXPECT_THAT(
      ReadBaseImage(dir_ + "/none", dir_ + "/scratch").status().message(),
      HasSubstr("no such image"));
}

// A docker archive whose manifest.json points outside the archive.
TEST_F(OciLayoutTest, DockerArchivePathsMustStayInside) {
  std::string tar = dir_ + "/evil.tar";
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, tar.c_str()), ARCHIVE_OK);
  std::string manifest =
      R"([{"Config":"c.json","Layers":["../../etc/passwd"]}])";
  for (auto [name, body] :
       {std::pair<std::string, std::string>{"manifest.json", manifest},
        {"c.json", "{}"}}) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, body.size());
    archive_write_header(a, e);
    archive_write_data(a, body.data(), body.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  auto r = ReadBaseImage(tar, dir_ + "/scratch");
  EXPECT_THAT(r.status().message(),
              HasSubstr("names a file outside the archive"));
}

}  // namespace
}  // namespace dso
