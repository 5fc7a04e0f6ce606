// What a registry (chosen by the client) answers: authentication
// challenges, token service answers, manifests and indexes.
#include <cstddef>
#include <cstdint>

#include "stages/oci/internal/registry_responses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseChallengeParams(text);
  (void)dso::TokenFromResponse(text, "registry");
  (void)dso::ManifestMediaType(text, text.substr(0, 64), "registry");
  (void)dso::PlatformImageDigest(text, "registry");
  return 0;
}
