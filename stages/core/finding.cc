#include "stages/core/finding.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "stages/core/sha256.h"

namespace dso {

using dso::v1::Severity;

absl::string_view SeverityName(Severity severity) {
  switch (severity) {
    case dso::v1::CRITICAL:
      return "CRITICAL";
    case dso::v1::HIGH:
      return "HIGH";
    case dso::v1::MEDIUM:
      return "MEDIUM";
    case dso::v1::LOW:
      return "LOW";
    case dso::v1::INFO:
      return "INFO";
    default:
      return "UNSPECIFIED";
  }
}

absl::StatusOr<Severity> ParseSeverity(absl::string_view name) {
  std::string upper = absl::AsciiStrToUpper(name);
  for (Severity s : {dso::v1::CRITICAL, dso::v1::HIGH, dso::v1::MEDIUM,
                     dso::v1::LOW, dso::v1::INFO}) {
    if (upper == SeverityName(s)) return s;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown severity '", name,
                   "'; use CRITICAL, HIGH, MEDIUM, LOW or INFO"));
}

absl::string_view SecuritySeverityScore(Severity severity) {
  switch (severity) {
    case dso::v1::CRITICAL:
      return "9.5";
    case dso::v1::HIGH:
      return "8.0";
    case dso::v1::MEDIUM:
      return "5.5";
    case dso::v1::LOW:
      return "2.0";
    default:
      return "0.0";
  }
}

std::string Fingerprint(std::initializer_list<absl::string_view> parts) {
  Sha256 h;
  for (absl::string_view part : parts) {
    h.Update(absl::StrCat(part.size(), ":"));
    h.Update(part);
  }
  return h.FinishHex().substr(0, 32);
}

std::string MaskSecret(absl::string_view secret) {
  // Eight hex digits of the digest tell two reports' secrets apart (or
  // equal) without revealing them; the prefix shows what kind it is.
  std::string digest = Sha256Digest(secret).substr(7, 8);
  absl::string_view shown =
      secret.size() <= 8 ? absl::string_view() : secret.substr(0, 4);
  return absl::StrCat(shown, "*****[", secret.size(), " chars, sha256:", digest,
                      "]");
}

std::map<std::string, uint64_t> CountBySeverity(
    const std::vector<dso::v1::Finding>& findings) {
  std::map<std::string, uint64_t> counts;
  for (Severity s : {dso::v1::CRITICAL, dso::v1::HIGH, dso::v1::MEDIUM,
                     dso::v1::LOW, dso::v1::INFO}) {
    counts[std::string(SeverityName(s))] = 0;
  }
  for (const auto& f : findings)
    ++counts[std::string(SeverityName(f.severity()))];
  return counts;
}

}  // namespace dso
