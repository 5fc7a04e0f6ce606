#include "stages/oci/registry.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/temp_dir.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

std::string Parsed(const char* text) {
  auto r = ParseRegistryRef(text);
  return r.ok() ? r->registry + " " + r->repository + " " + r->reference
                : std::string(r.status().message());
}

TEST(RegistryRefTest, DockerRules) {
  EXPECT_EQ(Parsed("debian"), "registry-1.docker.io library/debian latest");
  EXPECT_EQ(Parsed("debian:12-slim"),
            "registry-1.docker.io library/debian 12-slim");
  EXPECT_EQ(Parsed("docker.io/bitnami/redis:7"),
            "registry-1.docker.io bitnami/redis 7");
  EXPECT_EQ(Parsed("ghcr.io/org/team/app:v1.2"), "ghcr.io org/team/app v1.2");
  EXPECT_EQ(Parsed("127.0.0.1:5000/app:1"), "127.0.0.1:5000 app 1");
  EXPECT_EQ(Parsed("localhost/app"), "localhost app latest");
  std::string digest(64, 'a');
  EXPECT_EQ(Parsed(("quay.io/x/y@sha256:" + digest).c_str()),
            "quay.io x/y sha256:" + digest);
  EXPECT_EQ(ParseRegistryRef("127.0.0.1:5000/app:1")->ToString(),
            "127.0.0.1:5000/app:1");
}

TEST(RegistryRefTest, BadReferencesAreNamed) {
  EXPECT_THAT(Parsed("Upper/Case"), HasSubstr("lower case"));
  EXPECT_THAT(Parsed("a/../b"), HasSubstr("'a/../b'"));
  EXPECT_THAT(Parsed("x@sha256:short"), HasSubstr("not a sha256 digest"));
  EXPECT_THAT(Parsed(""), HasSubstr("not a reference"));
  EXPECT_THAT(Parsed("app:"), HasSubstr("malformed tag"));
}

TEST(RegistryTest, AnUnreachableRegistryIsSaidToBe) {
  std::string dir = MakeTempDir("pull");
  RegistryOptions o;
  o.timeout = absl::Seconds(5);
  // A port nothing listens on (the discard port, closed on this machine).
  absl::Status s =
      PullImage(*ParseRegistryRef("127.0.0.1:9/app:1"), o, dir + "/out");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("registry 127.0.0.1:9 is unreachable"));
}

}  // namespace
}  // namespace dso
