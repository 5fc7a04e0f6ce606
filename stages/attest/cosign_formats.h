// The bytes cosign signs and stores, written and read here exactly as
// ../shared/docs/FORMATS.md gives them:
// - the "simple signing" payload of an image signature;
// - DSSE envelopes over in-toto Statement v1 (attestations), with their
//   pre-authentication encoding (PAE);
// - the tags an image's signatures and attestations live under.
#ifndef DSO_STAGES_ATTEST_COSIGN_FORMATS_H_
#define DSO_STAGES_ATTEST_COSIGN_FORMATS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

inline constexpr char kSimpleSigningType[] =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr char kDsseEnvelopeType[] =
    "application/vnd.dsse.envelope.v1+json";
inline constexpr char kCosignSignatureAnnotation[] =
    "dev.cosignproject.cosign/signature";
inline constexpr char kInTotoPayloadType[] = "application/vnd.in-toto+json";
inline constexpr char kCosignPayloadKind[] = "cosign container image signature";

// The simple signing payload for an image (`repository` without tag or
// digest, e.g. "127.0.0.1:5000/app"), key order exactly cosign's.
std::string SimpleSigningPayload(
    absl::string_view repository, absl::string_view manifest_digest,
    const std::map<std::string, std::string>& annotations = {});

struct SimpleSigning {
  std::string docker_reference;
  std::string manifest_digest;
  std::map<std::string, std::string> annotations;
};
absl::StatusOr<SimpleSigning> ParseSimpleSigning(absl::string_view payload);

// DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <body>".
std::string DssePae(absl::string_view type, absl::string_view body);

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;                  // decoded
  std::vector<std::string> signatures;  // decoded DER
};
// Serialises with base64 payload and signatures (keyid "").
std::string WriteDsseEnvelope(const DsseEnvelope& envelope);
// Accepts standard and URL-safe base64, as verifiers must.
absl::StatusOr<DsseEnvelope> ParseDsseEnvelope(absl::string_view text);

struct InTotoSubject {
  std::string name;
  std::string sha256;  // hex
};
// An in-toto Statement v1 around `predicate_json` (a JSON object).
absl::StatusOr<std::string> InTotoStatement(
    const std::vector<InTotoSubject>& subjects,
    absl::string_view predicate_type, absl::string_view predicate_json);

struct ParsedStatement {
  std::string predicate_type;
  std::vector<InTotoSubject> subjects;
  std::string predicate_json;
};
absl::StatusOr<ParsedStatement> ParseInTotoStatement(absl::string_view text);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_COSIGN_FORMATS_H_
