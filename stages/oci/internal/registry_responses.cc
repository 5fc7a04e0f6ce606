#include "stages/oci/internal/registry_responses.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"

namespace dso {

using json = nlohmann::json;

std::map<std::string, std::string> ParseChallengeParams(
    absl::string_view rest) {
  std::map<std::string, std::string> params;
  while (!rest.empty()) {
    rest = absl::StripLeadingAsciiWhitespace(rest);
    size_t eq = rest.find('=');
    if (eq == absl::string_view::npos) break;
    std::string key =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(rest.substr(0, eq)));
    rest.remove_prefix(eq + 1);
    std::string value;
    if (absl::ConsumePrefix(&rest, "\"")) {
      size_t end = rest.find('"');
      value = std::string(rest.substr(0, end));
      rest.remove_prefix(end == absl::string_view::npos ? rest.size()
                                                        : end + 1);
    } else {
      size_t end = rest.find(',');
      value = std::string(rest.substr(0, end));
      rest.remove_prefix(end == absl::string_view::npos ? rest.size() : end);
    }
    params[key] = value;
    absl::ConsumePrefix(&rest, ",");
  }
  return params;
}

absl::StatusOr<std::string> TokenFromResponse(absl::string_view body,
                                              const std::string& where) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string token = StringAt(j, "token", StringAt(j, "access_token"));
  if (token.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat(where, ": the token service sent no token"));
  }
  return token;
}

absl::StatusOr<std::string> ManifestMediaType(absl::string_view manifest,
                                              absl::string_view content_type,
                                              const std::string& where) {
  json j = json::parse(manifest, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " is not JSON"));
  }
  return StringAt(j, "mediaType",
                  std::string(content_type.substr(0, content_type.find(';'))));
}

absl::StatusOr<std::optional<std::string>> PlatformImageDigest(
    absl::string_view manifest, const std::string& where) {
  json j = json::parse(manifest, nullptr, /*allow_exceptions=*/false);
  const json& list = MemberAt(j, "manifests");
  if (list.is_null()) return std::optional<std::string>();
  if (list.is_array()) {
    for (const json& d : list) {
      const json& platform = MemberAt(d, "platform");
      std::string digest = StringAt(d, "digest");
      if (StringAt(platform, "os") == "linux" &&
          StringAt(platform, "architecture") == "amd64" &&
          ParseSha256Digest(digest).ok()) {
        return std::optional<std::string>(digest);
      }
    }
  }
  return absl::NotFoundError(
      absl::StrCat(where, ": no linux/amd64 image in its index"));
}

}  // namespace dso
