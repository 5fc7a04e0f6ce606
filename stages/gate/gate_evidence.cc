#include "stages/gate/gate_evidence.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

using Json = nlohmann::json;

constexpr char kSignatureType[] = "cosign container image signature";
constexpr char kInTotoPayload[] = "application/vnd.in-toto+json";

absl::Status Bad(const std::string& name, size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, line ? absl::StrCat(":", line) : "", ": ", what));
}

absl::Status AddSignature(const Json& payload, const std::string& name,
                          size_t line, Evidence* out) {
  // Values of another type than expected are treated as missing (never
  // nlohmann's value(), which throws on them).
  const Json& critical = MemberAt(payload, "critical");
  if (StringAt(critical, "type") != kSignatureType) {
    return Bad(name, line,
               absl::StrCat("not a verified cosign signature payload "
                            "(critical.type \"",
                            kSignatureType, "\")"));
  }
  std::string digest =
      StringAt(MemberAt(critical, "image"), "docker-manifest-digest");
  if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71) {
    return Bad(name, line,
               "critical.image.docker-manifest-digest is not sha256:<64 hex>");
  }
  out->signed_digests.push_back(digest);
  return absl::OkStatus();
}

absl::Status AddEnvelope(const Json& env, const std::string& name, size_t line,
                         Evidence* out) {
  if (StringAt(env, "payloadType") != kInTotoPayload) {
    return Bad(name, line,
               absl::StrCat("payloadType is not \"", kInTotoPayload, "\""));
  }
  std::string decoded;
  if (!env.contains("payload") || !env["payload"].is_string() ||
      !absl::Base64Unescape(env["payload"].get<std::string>(), &decoded)) {
    return Bad(name, line, "payload is not base64");
  }
  Json st = Json::parse(decoded, nullptr, false);
  if (st.is_discarded() || !st.is_object() || !st.contains("predicateType") ||
      !st["predicateType"].is_string()) {
    return Bad(name, line, "payload is not an in-toto Statement");
  }
  VerifiedAttestation a;
  a.predicate_type = st["predicateType"].get<std::string>();
  if (st.contains("subject") && st["subject"].is_array()) {
    for (const Json& s : st["subject"]) {
      if (s.is_object() && s.contains("digest") && s["digest"].is_object() &&
          s["digest"].contains("sha256") && s["digest"]["sha256"].is_string()) {
        a.subjects.push_back(
            absl::StrCat("sha256:", s["digest"]["sha256"].get<std::string>()));
      }
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
