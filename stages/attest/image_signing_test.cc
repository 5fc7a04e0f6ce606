#include "stages/attest/image_signing.h"

#include <filesystem>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "stages/attest/cosign_formats.h"
#include "stages/attest/keys/file_key.h"
#include "stages/core/sha256.h"
#include "stages/core/temp_dir.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

using json = nlohmann::json;

std::unique_ptr<Signer> NewSigner() {
  auto pair = GenerateKeyPair("pw");
  EXPECT_TRUE(pair.ok());
  auto signer = LoadPrivateKey(pair->private_pem, "pw", "test.key");
  EXPECT_TRUE(signer.ok());
  return std::move(*signer);
}

// A one-layer image in a new layout, tagged `tag`; returns its digest.
std::string WriteImage(const std::string& dir, const std::string& tag,
                       const std::string& content) {
  auto w = OciLayoutWriter::Create(dir);
  EXPECT_TRUE(w.ok());
  auto layer = w->PutBytes(content, kOciLayerTarType);
  std::string config =
      json{{"architecture", "amd64"},
           {"os", "linux"},
           {"rootfs", {{"type", "layers"}, {"diff_ids", {layer->digest}}}}}
          .dump();
  auto c = w->PutBytes(config, kOciConfigType);
  std::string manifest = json{{"schemaVersion", 2},
                              {"mediaType", kOciManifestType},
                              {"config",
                               {{"mediaType", kOciConfigType},
                                {"digest", c->digest},
                                {"size", c->size}}},
                              {"layers",
                               {{{"mediaType", kOciLayerTarType},
                                 {"digest", layer->digest},
                                 {"size", layer->size}}}}}
                             .dump();
  auto m = w->PutBytes(manifest, kOciManifestType);
  EXPECT_TRUE(w->WriteIndex(*m, tag).ok());
  return m->digest;
}

class ImageSigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = MakeTempDir("sign");
    dir_ = tmp_ + "/img";
    digest_ = WriteImage(dir_, "app:1", "layer bytes");
    auto repo = OpenLayoutRepo(dir_);
    ASSERT_TRUE(repo.ok()) << repo.status();
    repo_ = std::move(*repo);
    signer_ = NewSigner();
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }
  std::string tmp_;
  std::string dir_, digest_;
  std::unique_ptr<ImageRepo> repo_;
  std::unique_ptr<Signer> signer_;
};

TEST_F(ImageSigningTest, SignThenVerifyWithTheKeyOnly) {
  auto signed_ = SignImage(*repo_, *signer_);
  ASSERT_TRUE(signed_.ok()) << signed_.status();
  EXPECT_EQ(signed_->image_digest, digest_);
  EXPECT_EQ(signed_->tag, CosignTag(digest_, "sig"));
  // The layout still resolves to the image, not to its signature.
  auto again = OpenLayoutRepo(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->ResolveImage(), digest_);

  auto report = VerifyImage(*repo_, signer_->public_key(), {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok);
  ASSERT_EQ(report->payloads.size(), 1u);
  EXPECT_EQ(report->payloads[0], SimpleSigningPayload("app", digest_));

  auto other = NewSigner();
  auto wrong = VerifyImage(*repo_, other->public_key(), {});
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->ok);
  ASSERT_FALSE(wrong->problems.empty());
  EXPECT_NE(wrong->problems[0].find("does not verify"), std::string::npos);

  // Signing again adds no second layer.
  ASSERT_TRUE(SignImage(*repo_, *signer_).ok());
  auto manifest = repo_->GetManifest(signed_->tag);
  EXPECT_EQ(json::parse(**manifest)["layers"].size(), 1u);
}

TEST_F(ImageSigningTest, TamperedPayloadIsRefused) {
  ASSERT_TRUE(SignImage(*repo_, *signer_).ok());
  // Rewrite the payload to name another image and keep the signature.
  std::string tag = CosignTag(digest_, "sig");
  json m = json::parse(**repo_->GetManifest(tag));
  std::string forged = SimpleSigningPayload("app", digest_, {{"x", "y"}});
  ASSERT_TRUE(repo_->PutBlob(forged).ok());
  m["layers"][0]["digest"] = Sha256Digest(forged);
  m["layers"][0]["size"] = forged.size();
  ASSERT_TRUE(repo_->PutManifest(tag, m.dump()).ok());
  auto report = VerifyImage(*repo_, signer_->public_key(), {});
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
}

TEST_F(ImageSigningTest, MovedTagIsRefusedWhenPinned) {
  ASSERT_TRUE(SignImage(*repo_, *signer_).ok());
  // The tag now names another, unsigned image.
  std::string other = WriteImage(tmp_ + "/other", "app:1", "evil");
  auto other_repo = OpenLayoutRepo(tmp_ + "/other");
  std::string manifest = **(*other_repo)->GetManifest("app:1");
  for (const char* blob : {"evil"}) ASSERT_TRUE(repo_->PutBlob(blob).ok());
  json m = json::parse(manifest);
  ASSERT_TRUE(
      repo_->PutBlob(*(*other_repo)->GetBlob(m["config"]["digest"], 1 << 20))
          .ok());
  ASSERT_TRUE(repo_->PutManifest("app:1", manifest).ok());

  auto pinned =
      VerifyImage(*repo_, signer_->public_key(), {.pinned_digest = digest_});
  ASSERT_TRUE(pinned.ok()) << pinned.status();
  EXPECT_FALSE(pinned->ok);
  EXPECT_NE(pinned->problems[0].find("the tag moved"), std::string::npos);
  auto unpinned = VerifyImage(*repo_, signer_->public_key(), {});
  ASSERT_TRUE(unpinned.ok());
  EXPECT_FALSE(unpinned->ok);
  EXPECT_NE(unpinned->problems[0].find("no signatures for " + other),
            std::string::npos);
}

TEST_F(ImageSigningTest, AttestationsAreRequiredByType) {
  ASSERT_TRUE(SignImage(*repo_, *signer_).ok());
  auto att = AttestImage(*repo_, *signer_, R"({"passed":true})",
                         *ExpandPredicateType("gate"));
  ASSERT_TRUE(att.ok()) << att.status();
  VerifyOptions want;
  want.required_types = {*ExpandPredicateType("gate")};
  auto report = VerifyImage(*repo_, signer_->public_key(), want);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problems[0];
  ASSERT_EQ(report->envelopes.size(), 1u);
  auto env = ParseDsseEnvelope(report->envelopes[0]);
  auto st = ParseInTotoStatement(env->payload);
  EXPECT_EQ(st->subjects[0].sha256, digest_.substr(7));
  EXPECT_EQ(st->predicate_json, R"({"passed":true})");

  want.required_types.push_back(*ExpandPredicateType("sbom"));
  auto missing = VerifyImage(*repo_, signer_->public_key(), want);
  EXPECT_FALSE(missing->ok);
  EXPECT_NE(missing->problems.back().find("https://cyclonedx.org/bom"),
            std::string::npos);
  EXPECT_FALSE(ExpandPredicateType("nonsense").ok());
}

TEST_F(ImageSigningTest, GateDecisionsAreCheckedByStageAndLevel) {
  ASSERT_TRUE(SignImage(*repo_, *signer_).ok());
  std::string gate = *ExpandPredicateType("gate");
  ASSERT_TRUE(AttestImage(*repo_, *signer_,
                          R"({"outcome":"pass","mode":"enforce","level":3,)"
                          R"("stage":"final"})",
                          gate)
                  .ok());
  ASSERT_TRUE(AttestImage(*repo_, *signer_,
                          R"({"outcome":"pass","mode":"warn","level":4,)"
                          R"("stage":"final"})",
                          gate)
                  .ok());
  auto verify = [&](const char* want) {
    VerifyOptions o;
    o.gates = {*ParseGateRequirement(want)};
    return VerifyImage(*repo_, signer_->public_key(), o);
  };
  EXPECT_TRUE(verify("final:3")->ok);
  EXPECT_TRUE(verify("final:2")->ok);
  // Level 4 only passed in warn mode, which decides nothing.
  auto four = verify("final:4");
  EXPECT_FALSE(four->ok);
  EXPECT_NE(four->problems.back().find("final level 4 pass (warn mode)"),
            std::string::npos)
      << four->problems.back();
  EXPECT_FALSE(verify("container:1")->ok);
  EXPECT_FALSE(ParseGateRequirement("final").ok());
  EXPECT_FALSE(ParseGateRequirement("final:5").ok());
  EXPECT_FALSE(ParseGateRequirement("deploy:2").ok());
}

TEST(CosignFormatsTest, PaeMatchesTheSpecVector) {
  EXPECT_EQ(DssePae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(
      SimpleSigningPayload("r/app", "sha256:ab"),
      R"({"critical":{"identity":{"docker-reference":"r/app"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null})");
  EXPECT_EQ(CosignTag("sha256:ab", "att"), "sha256-ab.att");
}

}  // namespace
}  // namespace dso
