#include "stages/sign/sign_step.h"

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/attest/image_signing.h"
#include "stages/attest/keys/key_ref.h"
#include "stages/attest/provenance.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/secrets.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/core/step_context.h"
#include "stages/sign/image_location.h"

namespace dso {
namespace {

constexpr uint64_t kMaxDocumentBytes = 16 << 20;

// An image (exactly one of a layout and a registry reference) or a blob.
absl::Status ValidateTarget(const dso::v1::ImageLocation& l, bool blob,
                            const char* step) {
  bool layout = l.layout().source_case() != dso::v1::Input::SOURCE_NOT_SET;
  bool registry = !l.registry_ref().empty();
  if (blob ? (layout || registry) : layout == registry) {
    return absl::InvalidArgumentError(absl::StrCat(
        step, " needs an image (a layout or a registry_ref) or a blob"));
  }
  return absl::OkStatus();
}

// The digest of the file a blob Input names: "sha256:<hex>" and raw.
absl::StatusOr<std::pair<std::string, std::string>> BlobDigest(
    StepContext& context, const dso::v1::Input& blob) {
  ASSIGN_OR_RETURN(std::string path, ResolveFileInput(context, blob));
  ASSIGN_OR_RETURN(FileDigest digest, Sha256File(path));
  return std::make_pair(digest.digest,
                        absl::HexStringToBytes(digest.digest.substr(7)));
}

absl::StatusOr<std::string> ReadDocument(StepContext& context,
                                         const dso::v1::AttestDocument& d) {
  ASSIGN_OR_RETURN(std::string path, ResolveFileInput(context, d.file()));
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) > kMaxDocumentBytes && !ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("attestation '", d.name(), "' is larger than 16 MiB"));
  }
  return ReadFile(path, FileKind::kDocument);
}

// Whether `keyref` is a key file the agent would read itself (the client
// sent no key text) that no credentials binding of its config names.
bool UnboundAgentKeyFile(const dso::v1::RunStepRequest& request,
                         const std::string& keyref,
                         const StepContext& context) {
  return !KeyFilePath(keyref).empty() &&
         !request.secrets().count(kKeyPemSecret) &&
         !context.agent_credentials().Covers(KeyDestination(keyref));
}

absl::StatusOr<dso::v1::Result> Sign(const dso::v1::RunStepRequest& request,
                                     StepContext& context) {
  const auto& p = request.sign();
  std::string key = KeyDestination(p.key());
  // A key file on the agent is the agent's own credential: the client sends
  // its key's text, or signs with a key the agent's config binds.
  if (UnboundAgentKeyFile(request, p.key(), context)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "key file '", KeyFilePath(p.key()),
        "' is on the agent and no credentials binding of its config names ",
        key, "; send the key (dsoctl sign reads it where it runs)"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Signer> signer,
                   OpenSigner(p.key(), RequestSecrets(request, context, key)));
  if (p.has_blob()) {
    ASSIGN_OR_RETURN(auto digest, BlobDigest(context, p.blob()));
    ASSIGN_OR_RETURN(std::string sig, signer->SignDigest(digest.second));
    dso::v1::Result result;
    (*result.mutable_outputs())["blob.digest"] = digest.first;
    (*result.mutable_outputs())["signature"] = absl::Base64Escape(sig);
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("sign: blob ", digest.first, " with ",
                             signer->Describe(), "\n"));
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat("signed blob ", digest.first));
    return result;
  }
  ASSIGN_OR_RETURN(OpenedImage image,
                   OpenImageLocation(p.image(), context, request));
  context.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("sign: ", image.repo->Describe(), " with ",
                           signer->Describe(), "\n"));
  dso::v1::Result result;
  auto& out = *result.mutable_outputs();
  if (!p.skip_signature()) {
    std::map<std::string, std::string> annotations(p.annotations().begin(),
                                                   p.annotations().end());
    ASSIGN_OR_RETURN(SignedArtifact s,
                     SignImage(*image.repo, *signer, annotations));
    context.Log(
        dso::v1::LogLine::AGENT,
        absl::StrCat("sign: signed ", s.image_digest, " (", s.tag, ")\n"));
    out["image.digest"] = s.image_digest;
    out["signature.tag"] = s.tag;
  }
  std::vector<std::string> types;
  for (const auto& d : p.attestations()) {
    ASSIGN_OR_RETURN(std::string doc, ReadDocument(context, d));
    std::string type;
    if (!d.type().empty()) {
      ASSIGN_OR_RETURN(type, ExpandPredicateType(d.type()));
    }
    absl::StatusOr<SignedArtifact> a =
        AttestImage(*image.repo, *signer, doc, type);
    if (!a.ok()) {
      return absl::Status(
          a.status().code(),
          absl::StrCat("attestation '", d.name(), "': ", a.status().message()));
    }
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("sign: attested ", a->image_digest, " with '",
                             d.name(), "' (", a->tag, ")\n"));
    out["image.digest"] = a->image_digest;
    out["attestation.tag"] = a->tag;
    types.push_back(d.name());
  }
  if (p.provenance()) {
    ASSIGN_OR_RETURN(std::string digest, image.repo->ResolveImage());
    std::map<std::string, std::string> ctx(p.context().begin(),
                                           p.context().end());
    ASSIGN_OR_RETURN(std::string predicate,
                     SlsaProvenance(*image.repo, digest, ctx));
    ASSIGN_OR_RETURN(
        SignedArtifact a,
        AttestImage(*image.repo, *signer, predicate, kSlsaProvenanceType));
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("sign: attested SLSA provenance v1 for ",
                             a.image_digest, " (", a.tag, ")\n"));
    out["image.digest"] = a.image_digest;
    out["attestation.tag"] = a.tag;
    types.push_back("provenance");
  }
  if (!types.empty()) out["attestation.documents"] = absl::StrJoin(types, ",");
  ASSIGN_OR_RETURN(std::optional<dso::v1::Artifact> update,
                   ReturnLayoutUpdate(image, context));
  if (update) *result.add_artifacts() = *std::move(update);
  out["key"] = signer->public_key().Describe();
  result.set_outcome(dso::v1::SUCCEEDED);
  std::vector<std::string> done;
  if (!p.skip_signature()) done.push_back("signed");
  if (!types.empty()) {
    done.push_back(absl::StrCat("attested ", types.size(), " document(s) of"));
  }
  result.set_message(
      absl::StrCat(absl::StrJoin(done, " and "), " ", out["image.digest"]));
  return result;
}

absl::StatusOr<dso::v1::Result> Verify(const dso::v1::RunStepRequest& request,
                                       StepContext& context) {
  const auto& p = request.verify();
  std::string keyref = p.key();
  // A key file read here lies beneath the allowed roots, unless the agent's
  // config binds it.
  if (p.public_key_pem().empty() &&
      UnboundAgentKeyFile(request, keyref, context)) {
    ASSIGN_OR_RETURN(std::string real,
                     context.ResolveAgentPath("key file", KeyFilePath(keyref),
                                              StepContext::PathUse::kRead));
    keyref = absl::StrCat("file://", real);
  }
  absl::StatusOr<PublicKey> key =
      p.public_key_pem().empty()
          ? OpenPublicKey(keyref, RequestSecrets(request, context,
                                                 KeyDestination(keyref)))
          : PublicKey::FromPem(p.public_key_pem(),
                               p.key().empty() ? "public key" : p.key());
  RETURN_IF_ERROR(key.status());
  if (p.has_blob()) {
    ASSIGN_OR_RETURN(auto digest, BlobDigest(context, p.blob()));
    std::string sig;
    dso::v1::Result result;
    (*result.mutable_outputs())["blob.digest"] = digest.first;
    absl::Status ok =
        absl::Base64Unescape(p.blob_signature(), &sig)
            ? key->VerifyDigest(digest.second, sig)
            : absl::InvalidArgumentError("the signature is not base64");
    if (!ok.ok()) {
      context.Log(dso::v1::LogLine::AGENT,
                  absl::StrCat("verify: FAILED: ", ok.message(), "\n"));
      result.set_outcome(dso::v1::POLICY_FAILED);
      result.set_message(
          absl::StrCat("blob ", digest.first, ": ", ok.message()));
      return result;
    }
    result.set_outcome(dso::v1::SUCCEEDED);
    result.set_message(absl::StrCat("verified blob ", digest.first));
    return result;
  }
  VerifyOptions options;
  for (const std::string& t : p.require()) {
    ASSIGN_OR_RETURN(std::string type, ExpandPredicateType(t));
    options.required_types.push_back(type);
  }
  options.pinned_digest = p.pinned_digest();
  for (const std::string& g : p.require_gate()) {
    ASSIGN_OR_RETURN(GateRequirement gate, ParseGateRequirement(g));
    options.gates.push_back(gate);
  }
  ASSIGN_OR_RETURN(OpenedImage image,
                   OpenImageLocation(p.image(), context, request));
  context.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("verify: ", image.repo->Describe(), " with the ",
                           key->Describe(), " key\n"));
  ASSIGN_OR_RETURN(VerifyReport report,
                   VerifyImage(*image.repo, *key, options));
  dso::v1::Result result;
  auto& out = *result.mutable_outputs();
  out["image.digest"] = report.image_digest;
  out["verified.signatures"] = absl::StrCat(report.payloads.size());
  out["verified.types"] = absl::StrJoin(report.verified_types, ",");
  context.Log(
      dso::v1::LogLine::AGENT,
      absl::StrCat("verify: ", report.payloads.size(),
                   " valid signature(s) for ", report.image_digest, "\n"));
  for (const std::string& t : report.verified_types) {
    context.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("verify: attestation ", t, " verified\n"));
  }
  if (!report.ok) {
    for (const std::string& why : report.problems) {
      context.Log(dso::v1::LogLine::AGENT,
                  absl::StrCat("verify: FAILED: ", why, "\n"));
    }
    result.set_outcome(dso::v1::POLICY_FAILED);
    result.set_message(absl::StrCat("verification failed: ",
                                    absl::StrJoin(report.problems, "; ")));
    return result;
  }
  const std::string& scratch = context.scratch_dir();
  std::string sigs = scratch + "/" + kVerifiedSignaturesArtifact;
  RETURN_IF_ERROR(WriteFileAtomically(
      sigs, absl::StrCat("[", absl::StrJoin(report.payloads, ","), "]\n")));
  ASSIGN_OR_RETURN(*result.add_artifacts(),
                   context.PutArtifact(sigs, kVerifiedSignaturesArtifact,
                                       "application/json"));
  if (!report.envelopes.empty()) {
    std::string atts = scratch + "/" + kVerifiedAttestationsArtifact;
    RETURN_IF_ERROR(WriteFileAtomically(
        atts, absl::StrCat(absl::StrJoin(report.envelopes, "\n"), "\n")));
    ASSIGN_OR_RETURN(*result.add_artifacts(),
                     context.PutArtifact(atts, kVerifiedAttestationsArtifact,
                                         "application/jsonl"));
  }
  result.set_outcome(dso::v1::SUCCEEDED);
  result.set_message(absl::StrCat("verified ", report.image_digest));
  return result;
}

}  // namespace

absl::Status SignStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.sign();
  RETURN_IF_ERROR(ValidateTarget(p.image(), p.has_blob(), "sign"));
  if (p.has_blob() &&
      (p.skip_signature() || p.provenance() || !p.attestations().empty())) {
    return absl::InvalidArgumentError(
        "sign: a blob is only signed (attestations need an image)");
  }
  if (p.key().empty()) {
    return absl::InvalidArgumentError("sign.key (a KEYREF) is required");
  }
  if (p.skip_signature() && p.attestations().empty() && !p.provenance()) {
    return absl::InvalidArgumentError(
        "sign: nothing to do (no signature and no attestation)");
  }
  for (const auto& d : p.attestations()) {
    if (d.file().source_case() == dso::v1::Input::SOURCE_NOT_SET) {
      return absl::InvalidArgumentError(
          absl::StrCat("sign.attestations '", d.name(), "' has no file"));
    }
    if (!d.type().empty()) {
      RETURN_IF_ERROR(ExpandPredicateType(d.type()).status());
    }
  }
  return absl::OkStatus();
}

dso::v1::Result SignStep::Run(const dso::v1::RunStepRequest& request,
                              StepContext& context) const {
  absl::StatusOr<dso::v1::Result> r = Sign(request, context);
  return r.ok() ? *std::move(r) : ErrorResult(r.status());
}

absl::Status VerifyStep::Validate(
    const dso::v1::RunStepRequest& request) const {
  const auto& p = request.verify();
  RETURN_IF_ERROR(ValidateTarget(p.image(), p.has_blob(), "verify"));
  if (p.has_blob() && p.blob_signature().empty()) {
    return absl::InvalidArgumentError("verify: a blob needs its signature");
  }
  if (p.key().empty() && p.public_key_pem().empty()) {
    return absl::InvalidArgumentError("verify.key (a KEYREF) is required");
  }
  for (const std::string& t : p.require()) {
    RETURN_IF_ERROR(ExpandPredicateType(t).status());
  }
  for (const std::string& g : p.require_gate()) {
    RETURN_IF_ERROR(ParseGateRequirement(g).status());
  }
  if (!p.pinned_digest().empty()) {
    RETURN_IF_ERROR(ParseSha256Digest(p.pinned_digest()).status());
  }
  return absl::OkStatus();
}

dso::v1::Result VerifyStep::Run(const dso::v1::RunStepRequest& request,
                                StepContext& context) const {
  absl::StatusOr<dso::v1::Result> r = Verify(request, context);
  return r.ok() ? *std::move(r) : ErrorResult(r.status());
}

}  // namespace dso
