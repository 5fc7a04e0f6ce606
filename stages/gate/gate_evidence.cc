#include "stages/gate/gate_evidence.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/attest/cosign_formats.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

using Json = nlohmann::json;

absl::Status Bad(const std::string& name, size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, line ? absl::StrCat(":", line) : "", ": ", what));
}

// A payload `cosign verify` printed (simple signing, read by
// stages/attest): the digest it signed.
absl::Status AddSignature(const Json& payload, const std::string& name,
                          size_t line, Evidence* out) {
  auto signing = ParseSimpleSigning(payload.dump());
  if (!signing.ok()) {
    return Bad(name, line,
               absl::StrCat("not a verified cosign signature payload: ",
                            signing.status().message()));
  }
  out->signed_digests.push_back(signing->manifest_digest);
  return absl::OkStatus();
}

// An envelope `cosign verify-attestation` printed: its statement's
// predicate type and subjects.
absl::Status AddEnvelope(const Json& env, const std::string& name, size_t line,
                         Evidence* out) {
  auto envelope = ParseDsseEnvelope(env.dump());
  if (!envelope.ok()) return Bad(name, line, envelope.status().message());
  if (envelope->payload_type != kInTotoPayloadType) {
    return Bad(name, line,
               absl::StrCat("payloadType is not \"", kInTotoPayloadType, "\""));
  }
  auto statement = ParseInTotoStatement(envelope->payload);
  if (!statement.ok()) {
    return Bad(name, line,
               absl::StrCat("payload is not an in-toto Statement: ",
                            statement.status().message()));
  }
  VerifiedAttestation a;
  a.predicate_type = statement->predicate_type;
  for (const InTotoSubject& subject : statement->subjects) {
    if (!subject.sha256.empty()) {
      a.subjects.push_back(absl::StrCat("sha256:", subject.sha256));
    }
  }
  out->attestations.push_back(std::move(a));
  return absl::OkStatus();
}

absl::Status AddOne(const Json& j, const std::string& name, size_t line,
                    Evidence* out) {
  if (!j.is_object()) return Bad(name, line, "not a JSON object");
  if (j.contains("payloadType")) return AddEnvelope(j, name, line, out);
  return AddSignature(j, name, line, out);
}

}  // namespace

absl::Status AddEvidence(absl::string_view text, const std::string& name,
                         Evidence* out) {
  Evidence add;
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty()) return Bad(name, 0, "empty: no verified evidence");
  if (trimmed[0] == '[') {  // cosign verify: one array
    Json arr = Json::parse(trimmed, nullptr, false);
    if (arr.is_discarded() || !arr.is_array()) {
      return Bad(name, 0, "not a JSON array of signature payloads");
    }
    for (const Json& j : arr) RETURN_IF_ERROR(AddOne(j, name, 0, &add));
  } else {  // one JSON object per line
    size_t lineno = 0;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      ++lineno;
      line = absl::StripAsciiWhitespace(line);
      if (line.empty()) continue;
      Json j = Json::parse(line, nullptr, false);
      if (j.is_discarded()) return Bad(name, lineno, "not JSON");
      RETURN_IF_ERROR(AddOne(j, name, lineno, &add));
    }
  }
  out->signed_digests.insert(out->signed_digests.end(),
                             add.signed_digests.begin(),
                             add.signed_digests.end());
  out->attestations.insert(out->attestations.end(), add.attestations.begin(),
                           add.attestations.end());
  out->files.push_back(name);
  return absl::OkStatus();
}

}  // namespace dso
