#include "stages/oci/layer_reader.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/temp_dir.h"
#include "stages/oci/image_testing.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using Kind = LayerProblem::Kind;

class LayerReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("layer"); }
  void TearDown() override { fs::remove_all(dir_); }
  // Reads a layer of `entries`: the paths seen with their content.
  std::vector<std::string> Read(const std::vector<TestEntry>& entries,
                                LayerLimits limits = {}) {
    WriteTestLayer(dir_ + "/l.tgz", entries);
    std::vector<std::string> seen;
    status_ = ReadLayer(
        dir_ + "/l.tgz", "sha256:abc", limits,
        [&](const LayerEntryInfo& e, const LayerDataFn& data) {
          std::string body, error;
          char buf[7];
          for (ssize_t n; (n = data(buf, sizeof(buf), &error)) > 0;) {
            body.append(buf, n);
          }
          seen.push_back(e.path + (body.empty() ? "" : "=" + body));
          return absl::OkStatus();
        },
        &problems_);
    return seen;
  }
  std::vector<Kind> Kinds() {
    std::vector<Kind> k;
    for (const auto& p : problems_) k.push_back(p.kind);
    return k;
  }
  std::string dir_;
  absl::Status status_;
  std::vector<LayerProblem> problems_;
};

TEST_F(LayerReaderTest, PathsAreNormalisedAndContentsStream) {
  EXPECT_THAT(
      Read({{"./etc/", 'd', 0755, ""},
            {"./etc/hostname", 'f', 0644, "box\n"},
            {"/usr/bin/tool", 'f', 0755, "a longer body than 7"},
            {"usr/bin/alias", 'l', 0777, "tool"}}),
      ElementsAre("etc", "etc/hostname=box\n",
                  "usr/bin/tool=a longer body than 7", "usr/bin/alias"));
  EXPECT_TRUE(status_.ok()) << status_;
  EXPECT_TRUE(problems_.empty());
}

TEST_F(LayerReaderTest, HostileEntriesAreReportedNotFollowed) {
  auto seen = Read({{"../../etc/cron.d/evil", 'f', 0644, "x"},
                    {"a/../../b", 'f', 0644, "y"},
                    {"app/hard", 'h', 0644, "../../etc/shadow"},
                    {"app/link", 'l', 0777, "../../../etc/shadow"},
                    {"app/ok-link", 'l', 0777, "/etc/shadow"},
                    {"dev/null", 'c', 0666, ""},
                    {"app/fine", 'f', 0644, "z"}});
  EXPECT_THAT(seen,
              ElementsAre("app/link", "app/ok-link", "dev/null", "app/fine=z"));
  EXPECT_THAT(Kinds(), ElementsAre(Kind::kTraversal, Kind::kTraversal,
                                   Kind::kLinkEscapes, Kind::kLinkEscapes,
                                   Kind::kDevice));
  EXPECT_EQ(problems_[2].path, "app/hard");
}

TEST_F(LayerReaderTest, SizeLimitsStopReadingAndSaySo) {
  LayerLimits limits;
  limits.max_bytes = 10;
  Read({{"a", 'f', 0644, std::string(8, 'a')},
        {"b", 'f', 0644, std::string(8, 'b')},
        {"c", 'f', 0644, "never"}},
       limits);
  EXPECT_THAT(Kinds(), ElementsAre(Kind::kTooLarge));
  LayerLimits few;
  few.max_entries = 1;
  problems_.clear();
  Read({{"a", 'f', 0644, "1"}, {"b", 'f', 0644, "2"}}, few);
  EXPECT_THAT(Kinds(), ElementsAre(Kind::kTooLarge));
}

TEST_F(LayerReaderTest, DamagedLayerIsAnErrorNamingIt) {
  WriteTestLayer(dir_ + "/l.tgz", {{"a", 'f', 0644, std::string(5000, 'q')}});
  std::string bytes = *ReadFile(dir_ + "/l.tgz");
  ASSERT_TRUE(
      WriteFileAtomically(dir_ + "/cut.tgz", bytes.substr(0, bytes.size() / 2))
          .ok());
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/junk", "not a tar at all").ok());
  for (const char* name : {"cut.tgz", "junk"}) {
    absl::Status s = ReadLayer(
        dir_ + "/" + name, "sha256:feed", {},
        [](const LayerEntryInfo&, const LayerDataFn& data) {
          char buf[4096];
          std::string error;
          while (data(buf, sizeof(buf), &error) > 0) {
          }
          return absl::OkStatus();  // as the scanner: a warning, go on
        },
        &problems_);
    EXPECT_THAT(s.message(), HasSubstr("sha256:feed")) << name;
  }
}

}  // namespace
}  // namespace dso
