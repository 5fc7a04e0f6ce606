#include "stages/gate/gate_evidence.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/gate/gate_decision.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

const std::string kDigest = "sha256:" + std::string(64, 'b');

// What `cosign verify --key cosign.pub IMAGE` prints on success.
std::string CosignVerifyOutput(const std::string& digest) {
  return absl::StrCat(
      R"([{"critical":{"identity":{"docker-reference":"registry.example.com/shop"},)",
      R"("image":{"docker-manifest-digest":")", digest,
      R"("},"type":"cosign container image signature"},"optional":{"build":"42"}}])",
      "\n");
}

// What `cosign verify-attestation --type ... IMAGE` prints: DSSE envelopes,
// one per line.
std::string Envelope(const std::string& predicate_type,
                     const std::string& digest) {
  std::string statement = absl::StrCat(
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"registry.example.com/shop","digest":{"sha256":")",
      digest.substr(7), R"("}}],"predicateType":")", predicate_type,
      R"(","predicate":{}})");
  return absl::StrCat(
      R"({"payloadType":"application/vnd.in-toto+json","payload":")",
      absl::Base64Escape(statement),
      R"(","signatures":[{"keyid":"","sig":"MEUCIQ=="}]})");
}

TEST(EvidenceTest, CosignVerifyAndVerifyAttestationOutputs) {
  Evidence ev;
  ASSERT_TRUE(
      AddEvidence(CosignVerifyOutput(kDigest), "verify.json", &ev).ok());
  ASSERT_TRUE(
      AddEvidence(absl::StrCat(
                      Envelope("https://slsa.dev/provenance/v1", kDigest), "\n",
                      Envelope("https://cyclonedx.org/bom", kDigest), "\n"),
                  "attest.jsonl", &ev)
          .ok());
  EXPECT_EQ(ev.signed_digests, std::vector<std::string>{kDigest});
  ASSERT_EQ(ev.attestations.size(), 2u);
  EXPECT_EQ(ev.attestations[0].predicate_type,
            "https://slsa.dev/provenance/v1");
  EXPECT_EQ(ev.attestations[0].subjects, std::vector<std::string>{kDigest});
  EXPECT_EQ(ev.files.size(), 2u);
}

TEST(EvidenceTest, WhatIsNotEvidence) {
  struct Case {
    std::string text;
    const char* want;
  } cases[] = {
      {"", "e.json: empty"},
      {"[1, 2]", "e.json: not a JSON object"},
      {R"([{"critical":{"type":"something else"}}])",
       "not a verified cosign signature payload"},
      {R"([{"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":"sha256:12"}}}])",
       "no sha256 docker-manifest-digest"},
      {"{\"payloadType\":\"text/plain\",\"payload\":\"eA==\","
       "\"signatures\":[]}\n",
       "e.json:1: payloadType is not"},
      {"\n{\"payloadType\":\"application/"
       "vnd.in-toto+json\",\"payload\":\"***\",\"signatures\":[]}\n",
       "e.json:2: DSSE envelope: the payload is not base64"},
      {"{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" +
           absl::Base64Escape("{}") + "\",\"signatures\":[]}",
       "payload is not an in-toto Statement"},
      {"{\"payloadType\":\"application/"
       "vnd.in-toto+json\",\"payload\":\"eA==\"}",
       "needs payloadType, payload and signatures"},
      {"not json\n", "e.json:1: not JSON"},
      // Values of the wrong type (these threw before; found by fuzzing).
      {"{\"payloadType\":9}\n", "e.json:1: DSSE envelope: needs payloadType"},
      {"{\"payloadType\":[1]}\n", "e.json:1: DSSE envelope: needs payloadType"},
      {R"([{"critical":{"type":7}}])",
       "not a verified cosign signature payload"},
      {R"([{"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":5}}}])",
       "no sha256 docker-manifest-digest"},
  };
  for (const auto& c : cases) {
    Evidence ev;
    absl::Status s = AddEvidence(c.text, "e.json", &ev);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_THAT(s.message(), HasSubstr(c.want)) << c.text;
    EXPECT_TRUE(ev.files.empty() && ev.signed_digests.empty());
  }
}

TEST(EvidenceTest, FinalGateNeedsEvidenceForTheSubject) {
  GatePolicy policy = DefaultPolicy();
  policy.final_requirements.signed_image = true;
  policy.final_requirements.attestations = {"https://slsa.dev/provenance/v1"};
  GateInputs in;
  in.sboms = {"sbom.cdx.json"};
  GateRequest req;
  req.level = 2;
  req.stage = "final";
  req.today = absl::CivilDay(2026, 11, 27);
  req.subject = kDigest;
  EXPECT_FALSE(Decide(policy, req, in, {}, {}).pass);  // no evidence
  ASSERT_TRUE(
      AddEvidence(CosignVerifyOutput(kDigest), "v.json", &in.evidence).ok());
  ASSERT_TRUE(AddEvidence(Envelope("https://slsa.dev/provenance/v1", kDigest),
                          "a.jsonl", &in.evidence)
                  .ok());
  GateDecision d = Decide(policy, req, in, {}, {});
  EXPECT_TRUE(d.pass) << DecisionTable(d);
  // Evidence about another image does not count.
  req.subject = "sha256:" + std::string(64, 'c');
  GateDecision other = Decide(policy, req, in, {}, {});
  EXPECT_FALSE(other.pass);
  for (const auto& c : other.conditions) {
    if (c.name == "image signed and verified") {
      EXPECT_EQ(c.actual, 0);
    }
  }
}

}  // namespace
}  // namespace dso
