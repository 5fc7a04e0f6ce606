// Evidence for the final gate's compliance conditions: what `cosign verify`
// and `cosign verify-attestation` print when verification succeeds (and
// dso's own verification, which writes the same, when it lands). The gate
// trusts that these files come from a verification that passed in the
// same pipeline; it checks that they cover the image (--subject) and the
// attestation types the policy requires. The formats are read with
// stages/attest (cosign_formats.h).
//
// `cosign verify` prints the verified signature payloads, a JSON array (or
// one object per line) of {"critical": {"identity": {...}, "image":
// {"docker-manifest-digest": "sha256:..."}, "type": "cosign container image
// signature"}, "optional": {...}}. `cosign verify-attestation` prints one
// DSSE envelope per line, {"payloadType": "application/vnd.in-toto+json",
// "payload": "<base64 in-toto Statement>", "signatures": [...]}.
#ifndef DSO_STAGES_GATE_GATE_EVIDENCE_H_
#define DSO_STAGES_GATE_GATE_EVIDENCE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dso {

struct VerifiedAttestation {
  std::string predicate_type;
  std::vector<std::string> subjects;  // "sha256:<hex>" of each subject
};

struct Evidence {
  std::vector<std::string> signed_digests;  // images with a verified signature
  std::vector<VerifiedAttestation> attestations;
  std::vector<std::string> files;
};

// Adds one evidence file; an error names the file, the line and what is
// wrong, and adds nothing.
absl::Status AddEvidence(absl::string_view text, const std::string& name,
                         Evidence* out);

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_EVIDENCE_H_
