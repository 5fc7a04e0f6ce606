#include "stages/deploy/admission.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/attest/image_signing.h"
#include "stages/attest/keys/key_ref.h"
#include "stages/core/secrets.h"
#include "stages/core/status_macros.h"
#include "stages/oci/image_input.h"
#include "stages/oci/image_repo.h"
#include "stages/oci/registry.h"

namespace dso {

absl::StatusOr<Admission> AdmitImage(const dso::v1::DeployParams& p,
                                     const DeployTarget& target,
                                     StepContext& context,
                                     const dso::v1::RunStepRequest& request) {
  if (target.verify_key.empty() && p.verify_key_pem().empty()) {
    return absl::InvalidArgumentError(
        "deploy needs a key to verify the image with (--verify-key, or the "
        "target's verify_key); nothing is deployed unverified");
  }
  absl::StatusOr<PublicKey> key =
      p.verify_key_pem().empty()
          ? OpenPublicKey(target.verify_key,
                          RequestSecrets(request, context,
                                         KeyDestination(target.verify_key)))
          : PublicKey::FromPem(p.verify_key_pem(), target.verify_key.empty()
                                                       ? "public key"
                                                       : target.verify_key);
  RETURN_IF_ERROR(key.status());
  VerifyOptions options;
  for (const std::string& t : target.require) {
    ASSIGN_OR_RETURN(std::string type, ExpandPredicateType(t));
    options.required_types.push_back(type);
  }
  std::vector<std::string> gates(p.require_gate().begin(),
                                 p.require_gate().end());
  if (gates.empty()) gates.push_back(absl::StrCat("final:", target.level));
  for (const std::string& g : gates) {
    ASSIGN_OR_RETURN(GateRequirement gate, ParseGateRequirement(g));
    options.gates.push_back(gate);
  }
  options.pinned_digest = p.pinned_digest();

  std::string layout, ref = p.image().layout_ref();
  if (!p.image().registry_ref().empty()) {
    ASSIGN_OR_RETURN(RegistryRef r, ParseRegistryRef(p.image().registry_ref()));
    layout = context.scratch_dir() + "/pulled";
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("deploy: pulling ", r.ToString(),
                             " with its signatures and attestations\n"));
    RETURN_IF_ERROR(PullImage(r,
                              RegistryOptionsFrom(RequestSecrets(
                                  request, context, RegistryDestination(r))),
                              layout, true));
    ref = r.reference;
  } else {
    ASSIGN_OR_RETURN(layout, context.ResolveInput(p.image().layout()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ImageRepo> repo,
                   OpenLayoutRepo(layout, ref));
  context.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("deploy: admission of ", repo->Describe(), ": ",
                           key->Describe(), " key, attestations ",
                           absl::StrJoin(target.require, ", "), ", gate ",
                           absl::StrJoin(gates, ", "), "\n"));
  ASSIGN_OR_RETURN(VerifyReport report, VerifyImage(*repo, *key, options));
  Admission out;
  out.digest = report.image_digest;
  for (const std::string& t : report.verified_types) {  // one per type
    if (std::find(out.verified_types.begin(), out.verified_types.end(), t) ==
        out.verified_types.end()) {
      out.verified_types.push_back(t);
    }
  }
  out.problems = report.problems;
  if (!report.ok) return out;
  ASSIGN_OR_RETURN(
      out.image, ReadBaseImage(layout, context.scratch_dir() + "/image", ref));
  if (out.image.manifest_digest != report.image_digest) {
    return absl::InternalError(absl::StrCat(
        "the image read for unpacking (", out.image.manifest_digest,
        ") is not the one verified (", report.image_digest, ")"));
  }
  out.admitted = true;
  return out;
}

}  // namespace dso
