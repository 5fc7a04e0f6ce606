#include "stages/oci/internal/registry_responses.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

const std::string kAmd64 = "sha256:" + std::string(64, 'a');

TEST(RegistryResponses, ChallengeParamsKeepQuotedCommas) {
  auto p = ParseChallengeParams(
      R"(realm="https://auth.example/token",service=registry,)"
      R"( scope="repository:a/b:pull,push")");
  EXPECT_EQ(p["realm"], "https://auth.example/token");
  EXPECT_EQ(p["service"], "registry");
  EXPECT_EQ(p["scope"], "repository:a/b:pull,push");
  EXPECT_TRUE(ParseChallengeParams("no pairs here").empty());
}

TEST(RegistryResponses, TokenOrAccessTokenOrAnError) {
  EXPECT_EQ(*TokenFromResponse(R"({"token":"t1"})", "r"), "t1");
  EXPECT_EQ(*TokenFromResponse(R"({"access_token":"t2"})", "r"), "t2");
  for (const char* bad : {R"({"token":7})", "[]", "not json", ""}) {
    auto t = TokenFromResponse(bad, "reg.example/app");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().message(),
              "reg.example/app: the token service sent no token");
  }
}

TEST(RegistryResponses, MediaTypeFromTheManifestOrTheHeader) {
  EXPECT_EQ(*ManifestMediaType(R"({"mediaType":"a/b"})", "c/d", "r"), "a/b");
  // A mediaType of another type is not trusted, and does not throw.
  EXPECT_EQ(*ManifestMediaType(R"({"mediaType":7})", "c/d; charset=x", "r"),
            "c/d");
  EXPECT_FALSE(ManifestMediaType("[1]", "c/d", "r").ok());
}

TEST(RegistryResponses, TheLinuxAmd64ImageOfAnIndex) {
  std::string index =
      R"({"manifests":[{"digest":"sha256:)" + std::string(64, 'b') +
      R"(","platform":{"os":"linux","architecture":"arm64"}},{"digest":")" +
      kAmd64 + R"(","platform":{"os":"linux","architecture":"amd64"}}]})";
  EXPECT_EQ(**PlatformImageDigest(index, "r"), kAmd64);
  EXPECT_FALSE(PlatformImageDigest(R"({"layers":[]})", "r")->has_value());
  for (
      const char* hostile :
      {R"({"manifests":"sha256:x"})",
       R"({"manifests":[{"digest":7,"platform":{"os":"linux","architecture":"amd64"}}]})",
       R"({"manifests":[{"digest":"sha256:short","platform":{"os":"linux","architecture":"amd64"}}]})",
       R"({"manifests":[{"platform":"linux/amd64"}]})"}) {
    auto d = PlatformImageDigest(hostile, "reg.example/app");
    ASSERT_FALSE(d.ok()) << hostile;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace dso
