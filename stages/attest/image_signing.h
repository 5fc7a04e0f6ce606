// Signing and attesting an image, and verifying both, in cosign's legacy
// tag format: signatures as simple signing payloads in the manifest tagged
// "sha256-<hex>.sig", attestations as DSSE envelopes (in-toto Statement v1)
// in "sha256-<hex>.att" — where `cosign verify --key` and `cosign
// verify-attestation --key` look for them, in a layout or a registry.
#ifndef DSO_STAGES_ATTEST_IMAGE_SIGNING_H_
#define DSO_STAGES_ATTEST_IMAGE_SIGNING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "stages/attest/keys/signer.h"
#include "stages/attest/predicates.h"
#include "stages/oci/image_repo.h"

namespace dso {

// cosign's short names for predicate types ("slsaprovenance1",
// "cyclonedx", "spdxjson", "vuln", "custom") and dso's ("gate", "scan");
// a URI passes through. Anything else is an error naming it.
absl::StatusOr<std::string> ExpandPredicateType(const std::string& type);

struct SignedArtifact {
  std::string image_digest;  // what was signed
  std::string tag;           // where it was stored
  std::string layer_digest;  // the payload or envelope blob
};

// Signs the image the repository names; `annotations` go into the
// payload's "optional". Signing the same image twice with the same key
// adds no second, identical layer.
absl::StatusOr<SignedArtifact> SignImage(
    ImageRepo& repo, Signer& signer,
    const std::map<std::string, std::string>& annotations = {});

// Attests the image: `document` is a predicate (a JSON object) or a whole
// in-toto statement (its predicate is kept, its subjects replaced by the
// image); `predicate_type` (expanded) may be empty for a statement.
absl::StatusOr<SignedArtifact> AttestImage(ImageRepo& repo, Signer& signer,
                                           const std::string& document,
                                           const std::string& predicate_type);

// A gate decision an image must carry: a verified attestation of type
// kGatePredicateType whose decision passed, enforced, at `stage` and a
// system level of at least `level`.
struct GateRequirement {
  std::string stage;
  int level = 1;
};
// "final:3" -> {final, 3}.
absl::StatusOr<GateRequirement> ParseGateRequirement(const std::string& text);

struct VerifyOptions {
  std::vector<std::string> required_types;  // expanded predicate types
  std::vector<GateRequirement> gates;
  // When set, the reference must still name this digest (a moved tag is
  // refused).
  std::string pinned_digest;
};

struct VerifyReport {
  bool ok = false;
  std::string image_digest;
  // Verified simple signing payloads and DSSE envelopes, as `cosign verify`
  // and `cosign verify-attestation` print them (the gate reads these).
  std::vector<std::string> payloads, envelopes;
  std::vector<std::string> verified_types;  // predicate types verified
  std::vector<std::string> problems;        // why what failed failed
};

// Checks signatures and required attestations with `key`. A repository
// that cannot be read is an error; a verification that fails is a report
// with ok = false and the reasons.
absl::StatusOr<VerifyReport> VerifyImage(ImageRepo& repo, const PublicKey& key,
                                         const VerifyOptions& options);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_IMAGE_SIGNING_H_
