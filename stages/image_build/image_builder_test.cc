#include "stages/image_build/image_builder.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;
namespace fs = std::filesystem;

class ImageBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("build");
    fs::create_directories(dir_ + "/ctx");
    ASSERT_TRUE(WriteFileAtomically(dir_ + "/ctx/app.py", "print(1)\n").ok());
    fs::create_directories(dir_ + "/scratch");
  }
  void TearDown() override { fs::remove_all(dir_); }

  BuildSpec Spec() {
    BuildSpec s;
    s.context_dir = dir_ + "/ctx";
    s.entrypoint = {"python3", "/app/app.py"};
    s.env = {"A=1"};
    s.user = "65532:65532";
    s.labels = {{"org.opencontainers.image.source", "https://example.com/x"}};
    s.expose = {"8080"};
    s.tag = "demo:1";
    s.epoch = 1700000000;
    return s;
  }
  absl::StatusOr<BuildResult> Build(const BuildSpec& s,
                                    const std::string& out) {
    return BuildImage(s, dir_ + "/" + out, dir_ + "/scratch");
  }
  json Blob(const std::string& out, const std::string& digest) {
    return json::parse(
        *ReadFile(dir_ + "/" + out + "/blobs/sha256/" + digest.substr(7)));
  }
  std::string dir_;
};

TEST_F(ImageBuilderTest, SameInputsGiveTheSameManifestDigest) {
  auto a = Build(Spec(), "a");
  auto b = Build(Spec(), "b");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->manifest_digest, b->manifest_digest);
  BuildSpec later = Spec();
  later.epoch += 1;
  EXPECT_NE(Build(later, "c")->manifest_digest, a->manifest_digest);

  json index = json::parse(*ReadFile(dir_ + "/a/index.json"));
  EXPECT_EQ(index["manifests"][0]["digest"], a->manifest_digest);
  EXPECT_EQ(
      index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
      "demo:1");
  json config = Blob("a", a->config_digest);
  EXPECT_EQ(config["created"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(config["config"]["User"], "65532:65532");
  EXPECT_EQ(config["config"]["WorkingDir"], "/app");
  EXPECT_EQ(config["config"]["Entrypoint"], json({"python3", "/app/app.py"}));
  EXPECT_TRUE(config["config"]["ExposedPorts"].contains("8080/tcp"));
  EXPECT_EQ(config["rootfs"]["diff_ids"], json({a->layer.diff_id}));
  EXPECT_EQ(*ReadFile(dir_ + "/a/oci-layout"),
            R"({"imageLayoutVersion":"1.0.0"})");
}

TEST_F(ImageBuilderTest, BaseLayersAndConfigCarryOver) {
  BuildSpec base = Spec();
  base.cmd = {"--serve"};
  base.env = {"A=1", "PATH=/usr/bin"};
  ASSERT_TRUE(Build(base, "base").ok());
  BuildSpec app;
  app.context_dir = dir_ + "/ctx";
  app.base = dir_ + "/base";
  app.env = {"A=2", "B=3"};
  app.app_dir = "/srv";
  auto built = Build(app, "app");
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->layer_digests.size(), 2u);
  json config = Blob("app", built->config_digest);
  EXPECT_EQ(config["config"]["Env"], json({"A=2", "PATH=/usr/bin", "B=3"}));
  EXPECT_EQ(config["config"]["Entrypoint"], json({"python3", "/app/app.py"}));
  EXPECT_EQ(config["config"]["Cmd"], json({"--serve"}));
  EXPECT_EQ(config["config"]["WorkingDir"], "/srv");
  EXPECT_EQ(config["rootfs"]["diff_ids"].size(), 2u);
  EXPECT_EQ(config["history"].size(), 2u);
  json manifest = Blob("app", built->manifest_digest);
  EXPECT_EQ(manifest["layers"][0]["digest"], built->layer_digests[0]);
  EXPECT_TRUE(
      manifest["annotations"].contains("org.opencontainers.image.base.digest"));
  EXPECT_EQ(manifest["annotations"]["org.opencontainers.image.base.name"],
            "demo:1");  // the base layout's tag
  EXPECT_TRUE(fs::exists(dir_ + "/app/blobs/sha256/" +
                         built->layer_digests[0].substr(7)));

  // A new entrypoint drops the base's arguments.
  app.entrypoint = {"/srv/run"};
  auto other = Build(app, "other");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(Blob("other", other->config_digest)["config"].contains("Cmd"));
}

TEST_F(ImageBuilderTest, DockerArchiveIsABaseToo) {
  auto base = Build(Spec(), "base");
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE(WriteDockerArchive(dir_ + "/base", base->config_digest,
                                 base->layer_digests, "demo",
                                 dir_ + "/base.tar")
                  .ok());
  json m = json::parse(*ReadFile(dir_ + "/base/manifest.json"));
  EXPECT_EQ(m[0]["RepoTags"], json({"demo:latest"}));
  BuildSpec app;
  app.context_dir = dir_ + "/ctx";
  app.base = dir_ + "/base.tar";
  auto built = Build(app, "app");
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->layer_digests.front(), base->layer_digests.front());
}

TEST_F(ImageBuilderTest, OutputMustBeNew) {
  fs::create_directories(dir_ + "/taken");
  EXPECT_THAT(Build(Spec(), "taken").status().message(), HasSubstr("exists"));
}

TEST(ParseCommandLineTest, WordsOrJson) {
  EXPECT_THAT(*ParseCommandLine("python3  app.py -v", "--entrypoint"),
              ElementsAre("python3", "app.py", "-v"));
  EXPECT_THAT(*ParseCommandLine(R"(["sh", "-c", "echo a b"])", "--cmd"),
              ElementsAre("sh", "-c", "echo a b"));
  EXPECT_THAT(ParseCommandLine("[1, 2]", "--cmd").status().message(),
              HasSubstr("--cmd '[1, 2]' is not a JSON array of strings"));
  EXPECT_EQ(*ParseSourceDateEpoch(""), 0);
  EXPECT_EQ(*ParseSourceDateEpoch("1700000000"), 1700000000);
  EXPECT_FALSE(ParseSourceDateEpoch("yesterday").ok());
}

}  // namespace
}  // namespace dso
