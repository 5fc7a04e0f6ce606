// What dso reads from a registry's answers, apart from the HTTP exchange
// (registry_client.cc): the parameters of a Bearer challenge, the token a
// token service sends, a manifest's media type, and the linux/amd64 image
// an index names. A registry is chosen by the client and may answer
// anything: each reader takes any bytes, never throws, and fails with an
// error naming `where` (the image reference).
#ifndef DSO_STAGES_OCI_INTERNAL_REGISTRY_RESPONSES_H_
#define DSO_STAGES_OCI_INTERNAL_REGISTRY_RESPONSES_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// key="value" pairs of a challenge after its scheme ("realm=...,
// service=..."); keys lower-cased, values may hold commas when quoted.
std::map<std::string, std::string> ParseChallengeParams(absl::string_view rest);

// The token of a token service's JSON answer ("token", or the OAuth
// "access_token").
absl::StatusOr<std::string> TokenFromResponse(absl::string_view body,
                                              const std::string& where);

// The media type of a manifest: its mediaType, else the Content-Type
// header's; "`where` is not JSON" when the manifest is no JSON object
// (`where` names the manifest).
absl::StatusOr<std::string> ManifestMediaType(absl::string_view manifest,
                                              absl::string_view content_type,
                                              const std::string& where);

// For an index (a manifest with "manifests"): the digest of its
// linux/amd64 image, NOT_FOUND when it has none. nullopt for an image
// manifest.
absl::StatusOr<std::optional<std::string>> PlatformImageDigest(
    absl::string_view manifest, const std::string& where);

}  // namespace dso

#endif  // DSO_STAGES_OCI_INTERNAL_REGISTRY_RESPONSES_H_
