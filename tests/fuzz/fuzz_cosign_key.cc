// The JSON body of an encrypted cosign key file (its scrypt parameters are
// the file's to choose, within dso's memory cap).
#include <cstddef>
#include <cstdint>

#include "stages/attest/keys/internal/cosign_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dso::DecryptCosignKey(text, "password", "fuzzed.key");
  return 0;
}
