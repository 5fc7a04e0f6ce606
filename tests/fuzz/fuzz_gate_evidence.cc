// The final gate's evidence: cosign verify's signature payloads and
// verify-attestation's DSSE envelopes, as files a pipeline hands in.
#include <cstddef>
#include <cstdint>

#include "stages/gate/gate_evidence.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  dso::Evidence evidence;
  (void)dso::AddEvidence(text, "evidence.json", &evidence);
  return 0;
}
