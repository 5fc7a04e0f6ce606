// The "sign" and "verify" steps (SignParams, VerifyParams in steps.proto):
// cosign-compatible signatures and attestations written beside an image in
// a layout or a registry, and their verification (stages/attest/
// image_signing.h).
#ifndef DSO_STAGES_SIGN_SIGN_STEP_H_
#define DSO_STAGES_SIGN_SIGN_STEP_H_

#include <string>

#include "stages/core/step.h"

namespace dso {

inline constexpr char kVerifiedSignaturesArtifact[] =
    "verified-signatures.json";
inline constexpr char kVerifiedAttestationsArtifact[] =
    "verified-attestations.jsonl";

class SignStep : public Step {
 public:
  std::string name() const override { return "sign"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

class VerifyStep : public Step {
 public:
  std::string name() const override { return "verify"; }
  absl::Status Validate(const dso::v1::RunStepRequest& request) const override;
  dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                      StepContext& context) const override;
};

}  // namespace dso

#endif  // DSO_STAGES_SIGN_SIGN_STEP_H_
