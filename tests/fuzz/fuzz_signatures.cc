// What verification reads from a registry or a store: simple-signing
// payloads, DSSE envelopes, in-toto statements, the gate requirement of an
// attestation, PEM blocks and public keys.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stages/attest/cosign_formats.h"
#include "stages/attest/image_signing.h"
#include "stages/attest/keys/internal/pem.h"
#include "stages/attest/keys/internal/public_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dso::ParseSimpleSigning(text);
  (void)dso::ParseDsseEnvelope(text);
  (void)dso::ParseInTotoStatement(text);
  (void)dso::ParseGateRequirement(std::string(text));
  (void)dso::PemDecode(text, "fuzzed.pem");
  auto key = dso::PublicKey::FromPem(text, "fuzzed.pub");
  if (key.ok()) (void)key->VerifyDigest(std::string(32, 'x'), text);
  return 0;
}
