#include "stages/core/sha256.h"

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b78"
            "52b855");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.Finish(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2"
            "0015ad");
}

TEST(Sha256Test, ParseDigestRejectsMalformed) {
  std::string good = Sha256Digest("x");
  ASSERT_TRUE(ParseSha256Digest(good).ok());
  EXPECT_EQ(ParseSha256Digest(good)->size(), 64u);
  EXPECT_FALSE(ParseSha256Digest("sha512:abc").ok());
  EXPECT_FALSE(ParseSha256Digest(good.substr(0, 70)).ok());
  std::string upper = good;
  upper[10] = 'A';
  EXPECT_FALSE(ParseSha256Digest(upper).ok());
  std::string traversal = "sha256:../../" + std::string(58, 'a');
  EXPECT_FALSE(ParseSha256Digest(traversal).ok());
}

}  // namespace
}  // namespace dso
