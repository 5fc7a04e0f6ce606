#include "stages/attest/cosign_formats.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"

namespace dso {
namespace {

using json = nlohmann::json;

// A JSON string as Go's encoding/json writes it (HTML characters escaped).
std::string GoJsonString(absl::string_view s) {
  return absl::StrReplaceAll(
      json(std::string(s)).dump(),
      {{"<", "\\u003c"}, {">", "\\u003e"}, {"&", "\\u0026"}});
}

absl::Status Bad(absl::string_view what, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", why));
}

bool DecodeAnyBase64(absl::string_view in, std::string* out) {
  return absl::Base64Unescape(in, out) || absl::WebSafeBase64Unescape(in, out);
}

// nlohmann's value() and get() throw on a member of the wrong type: such a
// document is malformed, an error like any other.
template <typename F>
auto NoThrow(const char* what, F parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const json::exception& e) {
    return Bad(what, e.what());
  }
}

}  // namespace

std::string SimpleSigningPayload(
    absl::string_view repository, absl::string_view manifest_digest,
    const std::map<std::string, std::string>& annotations) {
  std::string optional = "null";
  if (!annotations.empty()) {
    optional = "{";
    for (const auto& [k, v] : annotations) {
      if (optional.size() > 1) optional += ",";
      absl::StrAppend(&optional, GoJsonString(k), ":", GoJsonString(v));
    }
    optional += "}";
  }
  return absl::StrCat(R"({"critical":{"identity":{"docker-reference":)",
                      GoJsonString(repository),
                      R"(},"image":{"docker-manifest-digest":)",
                      GoJsonString(manifest_digest), R"(},"type":")",
                      kCosignPayloadKind, R"("},"optional":)", optional, "}");
}

absl::StatusOr<SimpleSigning> ParseSimpleSigning(absl::string_view payload) {
  const char* what = "signature payload";
  return NoThrow(what, [&]() -> absl::StatusOr<SimpleSigning> {
    json j = json::parse(payload, nullptr, false);
    // Members of another type than expected read as missing (StringAt,
    // MemberAt never throw).
    const json& c = MemberAt(j, "critical");
    if (!j.is_object() || !c.is_object()) {
      return Bad(what, "not a simple signing JSON object");
    }
    if (StringAt(c, "type") != kCosignPayloadKind) {
      return Bad(what, absl::StrCat("type '", StringAt(c, "type"), "' is not '",
                                    kCosignPayloadKind, "'"));
    }
    SimpleSigning out;
    out.manifest_digest =
        StringAt(MemberAt(c, "image"), "docker-manifest-digest");
    out.docker_reference =
        StringAt(MemberAt(c, "identity"), "docker-reference");
    if (!ParseSha256Digest(out.manifest_digest).ok()) {
      return Bad(what, "no sha256 docker-manifest-digest");
    }
    if (j["optional"].is_object()) {
      for (const auto& [k, v] : j["optional"].items()) {
        if (v.is_string()) out.annotations[k] = v.get<std::string>();
      }
    }
    return out;
  });
}

std::string DssePae(absl::string_view type, absl::string_view body) {
  return absl::StrCat("DSSEv1 ", type.size(), " ", type, " ", body.size(), " ",
                      body);
}

std::string WriteDsseEnvelope(const DsseEnvelope& e) {
  json sigs = json::array();
  for (const std::string& s : e.signatures) {
    sigs.push_back({{"keyid", ""}, {"sig", absl::Base64Escape(s)}});
  }
  json j = {{"payloadType", e.payload_type},
            {"payload", absl::Base64Escape(e.payload)},
            {"signatures", sigs}};
  return j.dump();
}

absl::StatusOr<DsseEnvelope> ParseDsseEnvelope(absl::string_view text) {
  const char* what = "DSSE envelope";
  return NoThrow(what, [&]() -> absl::StatusOr<DsseEnvelope> {
    json j = json::parse(text, nullptr, false);
    if (!j.is_object() || !j["payloadType"].is_string() ||
        !j["payload"].is_string() || !j["signatures"].is_array()) {
      return Bad(what, "needs payloadType, payload and signatures");
    }
    DsseEnvelope e;
    e.payload_type = j["payloadType"].get<std::string>();
    if (!DecodeAnyBase64(j["payload"].get<std::string>(), &e.payload)) {
      return Bad(what, "the payload is not base64");
    }
    for (json& s : j["signatures"]) {  // not const: see NoThrow
      std::string sig;
      if (!s.is_object() || !s["sig"].is_string() ||
          !DecodeAnyBase64(s["sig"].get<std::string>(), &sig)) {
        return Bad(what, "a signature is not base64");
      }
      e.signatures.push_back(std::move(sig));
    }
    return e;
  });
}

absl::StatusOr<std::string> InTotoStatement(
    const std::vector<InTotoSubject>& subjects,
    absl::string_view predicate_type, absl::string_view predicate_json) {
  json predicate = json::parse(predicate_json, nullptr, false);
  if (!predicate.is_object()) {
    return Bad("predicate", "must be a JSON object");
  }
  json subj = json::array();
  for (const InTotoSubject& s : subjects) {
    subj.push_back({{"name", s.name}, {"digest", {{"sha256", s.sha256}}}});
  }
  json st = {{"_type", "https://in-toto.io/Statement/v1"},
             {"subject", subj},
             {"predicateType", predicate_type},
             {"predicate", predicate}};
  return st.dump();
}

absl::StatusOr<ParsedStatement> ParseInTotoStatement(absl::string_view text) {
  const char* what = "in-toto statement";
  return NoThrow(what, [&]() -> absl::StatusOr<ParsedStatement> {
    json j = json::parse(text, nullptr, false);
    if (!j.is_object() || !j["predicateType"].is_string() ||
        !j["subject"].is_array()) {
      return Bad(what, "needs _type, subject and predicateType");
    }
    std::string type = j.value("_type", "");
    if (type != "https://in-toto.io/Statement/v1" &&
        type != "https://in-toto.io/Statement/v0.1") {
      return Bad(what, absl::StrCat("unknown _type '", type, "'"));
    }
    ParsedStatement out;
    out.predicate_type = j["predicateType"].get<std::string>();
    for (const json& s : j["subject"]) {
      out.subjects.push_back(
          {s.value("name", ""),
           s.value(json::json_pointer("/digest/sha256"), "")});
    }
    out.predicate_json = j.value("predicate", json::object()).dump();
    return out;
  });
}

}  // namespace dso
