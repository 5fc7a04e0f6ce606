#include "stages/scan/image/image_checks.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::UnorderedElementsAre;
using Type = LayerEntryInfo::Type;

std::set<std::string> Rules(const std::vector<dso::v1::Finding>& fs) {
  std::set<std::string> out;
  for (const auto& f : fs) out.insert(f.rule_id() + ":" + f.location().file());
  return out;
}

TEST(ImageChecksTest, ConfigAndFileViewChecks) {
  ImageScanResult scan;
  scan.layer_digests = {"sha256:aa", "sha256:bb"};
  scan.view.ApplyLayer(
      0, {{"tmp", Type::kDirectory, 01777},
          {"usr/bin/su", Type::kFile, 04755, 10},
          {"usr/bin/wall", Type::kFile, 02755, 10},
          {"usr/bin/ok", Type::kFile, 0755, 10},
          {"var/cache/apt/archives/x.deb", Type::kFile, 0644, 100},
          {"var/cache/apt/archives/lock", Type::kFile, 0640, 0},
          {"etc/alternatives/x", Type::kSymlink, 0777}});
  scan.view.ApplyLayer(1, {{"app/data", Type::kDirectory, 0777},
                           {"app/log", Type::kFile, 0666, 1}});
  scan.problems = {{}, {{LayerProblem::Kind::kTraversal, "../x", "climbs"}}};
  auto findings = CheckImage(scan, R"({"config":{"User":"0:0"}})",
                             "docker.io/library/debian:latest");
  EXPECT_THAT(Rules(findings),
              UnorderedElementsAre("image-runs-as-root:config:User",
                                   "image-no-healthcheck:config:Healthcheck",
                                   "image-base-unpinned:manifest:base",
                                   "image-setuid-setgid:usr/bin/su",
                                   "image-setuid-setgid:usr/bin/wall",
                                   "image-world-writable:app/data",
                                   "image-world-writable:app/log",
                                   "image-package-cache:var/cache/apt/archives",
                                   "image-layer-path-traversal:../x"));
  for (const auto& f : findings) {
    if (f.location().file() == "app/log") {
      EXPECT_EQ(f.location().layer(), "sha256:bb");
      EXPECT_EQ(f.evidence(), "mode 0666");
      EXPECT_EQ(f.scanner(), "image");
    }
  }
}

TEST(ImageChecksTest, AWellMadeImageHasNoFindings) {
  ImageScanResult scan;
  scan.layer_digests = {"sha256:aa"};
  scan.view.ApplyLayer(0, {{"app/server", Type::kFile, 0755, 10}});
  auto findings = CheckImage(
      scan,
      R"({"config":{"User":"65532","Healthcheck":{"Test":["CMD","/app/server","-check"]}}})",
      "docker.io/library/debian:12.5@sha256:abc");
  EXPECT_TRUE(findings.empty());
  EXPECT_TRUE(
      CheckImage(scan, R"({"config":{"User":"app"}})", "debian:12").size() ==
      1);  // no health check
}

}  // namespace
}  // namespace dso
