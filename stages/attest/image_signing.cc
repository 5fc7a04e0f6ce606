#include "stages/attest/image_signing.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "stages/attest/cosign_formats.h"
#include "stages/attest/predicates.h"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/oci/oci_layout.h"

namespace dso {
namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxArtifactBytes = 16 << 20;  // a payload or envelope
constexpr char kZeroTime[] = "0001-01-01T00:00:00Z";

struct Layer {
  std::string media_type, digest;
  uint64_t size = 0;
  std::map<std::string, std::string> annotations;
};

// The layers of the artifact manifest under `tag` (none if untagged).
absl::StatusOr<std::vector<Layer>> ReadLayers(ImageRepo& repo,
                                              const std::string& tag) {
  ASSIGN_OR_RETURN(std::optional<std::string> manifest, repo.GetManifest(tag));
  std::vector<Layer> out;
  if (!manifest) return out;
  json m = json::parse(*manifest, nullptr, false);
  if (!m.is_object() || !m["layers"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        repo.Describe(), ": the manifest tagged ", tag, " has no layers"));
  }
  for (const json& l : m["layers"]) {
    Layer layer;
    layer.media_type = StringAt(l, "mediaType");
    layer.digest = StringAt(l, "digest");
    const json& size = MemberAt(l, "size");
    layer.size = size.is_number_unsigned() ? size.get<uint64_t>() : 0;
    if (l.contains("annotations") && l["annotations"].is_object()) {
      for (const auto& [k, v] : l["annotations"].items()) {
        if (v.is_string()) layer.annotations[k] = v.get<std::string>();
      }
    }
    out.push_back(std::move(layer));
  }
  return out;
}

// Adds a layer to the artifact manifest under `tag`, as cosign does (the
// config lists each layer as a diff_id, created times are zero).
absl::StatusOr<std::string> AppendLayer(
    ImageRepo& repo, const std::string& tag, const std::string& bytes,
    const std::string& media_type,
    const std::map<std::string, std::string>& annotations) {
  ASSIGN_OR_RETURN(std::vector<Layer> layers, ReadLayers(repo, tag));
  std::string digest = Sha256Digest(bytes);
  for (const Layer& l : layers) {
    if (l.digest == digest && l.annotations == annotations) return digest;
  }
  RETURN_IF_ERROR(repo.PutBlob(bytes));
  layers.push_back({media_type, digest, bytes.size(), annotations});
  json diff_ids = json::array(), history = json::array(),
       descriptors = json::array();
  for (const Layer& l : layers) {
    diff_ids.push_back(l.digest);
    history.push_back({{"created", kZeroTime}});
    json d = {
        {"mediaType", l.media_type}, {"size", l.size}, {"digest", l.digest}};
    if (!l.annotations.empty()) d["annotations"] = l.annotations;
    descriptors.push_back(std::move(d));
  }
  json config = {{"architecture", ""},
                 {"created", kZeroTime},
                 {"history", history},
                 {"os", ""},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                 {"config", json::object()}};
  std::string config_bytes = config.dump();
  RETURN_IF_ERROR(repo.PutBlob(config_bytes));
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", kOciManifestType},
                   {"config",
                    {{"mediaType", kOciConfigType},
                     {"size", config_bytes.size()},
                     {"digest", Sha256Digest(config_bytes)}}},
                   {"layers", descriptors}};
  RETURN_IF_ERROR(repo.PutManifest(tag, manifest.dump()));
  return digest;
}

std::string Hex(const std::string& digest) { return digest.substr(7); }

}  // namespace

absl::StatusOr<std::string> ExpandPredicateType(const std::string& type) {
  static const auto* kNames = new std::map<std::string, std::string>{
      {"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
      {"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
      {"slsaprovenance1", "https://slsa.dev/provenance/v1"},
      {"provenance", "https://slsa.dev/provenance/v1"},
      {"cyclonedx", "https://cyclonedx.org/bom"},
      {"sbom", "https://cyclonedx.org/bom"},
      {"spdx", "https://spdx.dev/Document"},
      {"spdxjson", "https://spdx.dev/Document"},
      {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
      {"custom", "https://cosign.sigstore.dev/attestation/v1"},
      {"openvex", "https://openvex.dev/ns"},
      {"gate", kGatePredicateType},
      {"scan", kScanPredicateType},
  };
  auto it = kNames->find(type);
  if (it != kNames->end()) return it->second;
  if (absl::StrContains(type, "://")) return type;
  std::vector<std::string> names;
  for (const auto& [k, v] : *kNames) names.push_back(k);
  return absl::InvalidArgumentError(
      absl::StrCat("predicate type '", type, "' is neither a URI nor one of ",
                   absl::StrJoin(names, ", ")));
}

absl::StatusOr<GateRequirement> ParseGateRequirement(const std::string& text) {
  size_t colon = text.find(':');
  GateRequirement g;
  g.stage = text.substr(0, colon);
  bool stage_ok =
      g.stage == "source" || g.stage == "container" || g.stage == "final";
  if (colon == std::string::npos || !stage_ok ||
      !absl::SimpleAtoi(text.substr(colon + 1), &g.level) || g.level < 1 ||
      g.level > 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gate requirement '", text,
        "' is not STAGE:LEVEL (source, container or final; level 1 to 4)"));
  }
  return g;
}

absl::StatusOr<SignedArtifact> SignImage(
    ImageRepo& repo, Signer& signer,
    const std::map<std::string, std::string>& annotations) {
  SignedArtifact out;
  ASSIGN_OR_RETURN(out.image_digest, repo.ResolveImage());
  std::string payload =
      SimpleSigningPayload(repo.Identity(), out.image_digest, annotations);
  ASSIGN_OR_RETURN(std::string sig, signer.Sign(payload));
  out.tag = CosignTag(out.image_digest, "sig");
  // ECDSA signatures differ each time: an image signed again by the same
  // key keeps its first signature.
  ASSIGN_OR_RETURN(std::vector<Layer> layers, ReadLayers(repo, out.tag));
  std::string payload_digest = Sha256Digest(payload);
  for (const Layer& l : layers) {
    auto s = l.annotations.find(kCosignSignatureAnnotation);
    std::string existing;
    if (l.digest == payload_digest && s != l.annotations.end() &&
        absl::Base64Unescape(s->second, &existing) &&
        signer.public_key().Verify(payload, existing).ok()) {
      out.layer_digest = l.digest;
      return out;
    }
  }
  ASSIGN_OR_RETURN(
      out.layer_digest,
      AppendLayer(repo, out.tag, payload, kSimpleSigningType,
                  {{kCosignSignatureAnnotation, absl::Base64Escape(sig)}}));
  return out;
}

absl::StatusOr<SignedArtifact> AttestImage(ImageRepo& repo, Signer& signer,
                                           const std::string& document,
                                           const std::string& predicate_type) {
  SignedArtifact out;
  ASSIGN_OR_RETURN(out.image_digest, repo.ResolveImage());
  std::string type = predicate_type;
  std::string predicate = document;
  json doc = json::parse(document, nullptr, false);
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        "the attestation's predicate is not a JSON object");
  }
  if (doc.contains("_type") && doc.contains("predicate")) {
    ASSIGN_OR_RETURN(ParsedStatement st, ParseInTotoStatement(document));
    if (type.empty()) type = st.predicate_type;
    predicate = st.predicate_json;
  }
  if (type.empty()) {
    return absl::InvalidArgumentError(
        "a predicate needs its type (--type URI or a short name)");
  }
  std::string name = repo.Identity();
  ASSIGN_OR_RETURN(
      std::string statement,
      InTotoStatement({{name, Hex(out.image_digest)}}, type, predicate));
  ASSIGN_OR_RETURN(std::string sig,
                   signer.Sign(DssePae(kInTotoPayloadType, statement)));
  std::string envelope =
      WriteDsseEnvelope({kInTotoPayloadType, statement, {sig}});
  out.tag = CosignTag(out.image_digest, "att");
  ASSIGN_OR_RETURN(
      out.layer_digest,
      AppendLayer(repo, out.tag, envelope, kDsseEnvelopeType,
                  {{kCosignSignatureAnnotation, ""}, {"predicateType", type}}));
  return out;
}

absl::StatusOr<VerifyReport> VerifyImage(ImageRepo& repo, const PublicKey& key,
                                         const VerifyOptions& options) {
  VerifyReport r;
  ASSIGN_OR_RETURN(r.image_digest, repo.ResolveImage());
  if (!options.pinned_digest.empty() &&
      r.image_digest != options.pinned_digest) {
    r.problems.push_back(absl::StrCat(
        "the reference now names ", r.image_digest, ", not the pinned ",
        options.pinned_digest, " (the tag moved)"));
    return r;
  }
  // Signatures.
  ASSIGN_OR_RETURN(std::vector<Layer> sigs,
                   ReadLayers(repo, CosignTag(r.image_digest, "sig")));
  size_t tried = 0;
  for (const Layer& l : sigs) {
    if (l.media_type != kSimpleSigningType) continue;
    ++tried;
    auto annotation = l.annotations.find(kCosignSignatureAnnotation);
    std::string sig;
    if (annotation == l.annotations.end() ||
        !absl::Base64Unescape(annotation->second, &sig)) {
      r.problems.push_back(
          absl::StrCat("signature layer ", l.digest, ": no base64 signature"));
      continue;
    }
    ASSIGN_OR_RETURN(std::string payload,
                     repo.GetBlob(l.digest, kMaxArtifactBytes));
    if (absl::Status s = key.Verify(payload, sig); !s.ok()) {
      r.problems.push_back(
          absl::StrCat("signature layer ", l.digest, ": ", s.message()));
      continue;
    }
    absl::StatusOr<SimpleSigning> parsed = ParseSimpleSigning(payload);
    if (!parsed.ok()) {
      r.problems.push_back(std::string(parsed.status().message()));
    } else if (parsed->manifest_digest != r.image_digest) {
      r.problems.push_back(
          absl::StrCat("signature layer ", l.digest, " is valid but signs ",
                       parsed->manifest_digest, ", not ", r.image_digest));
    } else {
      r.payloads.push_back(std::move(payload));
    }
  }
  if (tried == 0) {
    r.problems.push_back(absl::StrCat("no signatures for ", r.image_digest,
                                      " in ", repo.Describe()));
  }
  // Attestations.
  std::vector<json> gate_predicates;
  bool types_ok = true;
  ASSIGN_OR_RETURN(std::vector<Layer> atts,
                   ReadLayers(repo, CosignTag(r.image_digest, "att")));
  for (const Layer& l : atts) {
    if (l.media_type != kDsseEnvelopeType) continue;
    ASSIGN_OR_RETURN(std::string text,
                     repo.GetBlob(l.digest, kMaxArtifactBytes));
    std::string where = absl::StrCat("attestation layer ", l.digest);
    absl::StatusOr<DsseEnvelope> env = ParseDsseEnvelope(text);
    if (!env.ok()) {
      r.problems.push_back(absl::StrCat(where, ": ", env.status().message()));
      continue;
    }
    std::string pae = DssePae(env->payload_type, env->payload);
    bool verified = false;
    for (const std::string& sig : env->signatures) {
      verified = verified || key.Verify(pae, sig).ok();
    }
    absl::StatusOr<ParsedStatement> st = ParseInTotoStatement(env->payload);
    if (!verified) {
      r.problems.push_back(
          absl::StrCat(where, ": no signature verifies with the key"));
    } else if (env->payload_type != kInTotoPayloadType || !st.ok()) {
      r.problems.push_back(absl::StrCat(where, ": not an in-toto statement"));
    } else if (std::none_of(st->subjects.begin(), st->subjects.end(),
                            [&](const InTotoSubject& s) {
                              return s.sha256 == Hex(r.image_digest);
                            })) {
      r.problems.push_back(
          absl::StrCat(where, ": its subjects do not include the image"));
    } else {
      r.verified_types.push_back(st->predicate_type);
      r.envelopes.push_back(std::move(text));
      if (st->predicate_type == kGatePredicateType) {
        gate_predicates.push_back(
            json::parse(st->predicate_json, nullptr, false));
      }
    }
  }
  for (const GateRequirement& want : options.gates) {
    std::vector<std::string> seen;
    bool met = false;
    for (const json& d : gate_predicates) {
      if (!d.is_object()) continue;
      std::string stage = StringAt(d, "stage");
      const json& level_value = MemberAt(d, "level");
      int level = level_value.is_number_integer() ? level_value.get<int>() : 0;
      std::string outcome = StringAt(d, "outcome");
      bool enforced = StringAt(d, "mode") == "enforce";
      seen.push_back(absl::StrCat(stage, " level ", level, " ", outcome,
                                  enforced ? "" : " (warn mode)"));
      met = met || (outcome == "pass" && enforced && stage == want.stage &&
                    level >= want.level);
    }
    if (!met) {
      r.problems.push_back(absl::StrCat(
          "no verified gate decision passed (enforced) at the ", want.stage,
          " stage for level ", want.level, " or above",
          seen.empty()
              ? ""
              : absl::StrCat(" (verified: ", absl::StrJoin(seen, "; "), ")")));
      types_ok = false;
    }
  }
  for (const std::string& t : options.required_types) {
    if (std::find(r.verified_types.begin(), r.verified_types.end(), t) ==
        r.verified_types.end()) {
      types_ok = false;
      r.problems.push_back(absl::StrCat("no verified attestation of type ", t,
                                        " for ", r.image_digest));
    }
  }
  r.ok = !r.payloads.empty() && types_ok;
  return r;
}

}  // namespace dso
