// PEM armour (RFC 7468): "-----BEGIN <type>-----", base64 in 64-character
// lines, "-----END <type>-----".
#ifndef DSO_STAGES_ATTEST_KEYS_INTERNAL_PEM_H_
#define DSO_STAGES_ATTEST_KEYS_INTERNAL_PEM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

struct PemBlock {
  std::string type;   // "PUBLIC KEY", "ENCRYPTED SIGSTORE PRIVATE KEY", ...
  std::string bytes;  // the decoded body
};

std::string PemEncode(absl::string_view type, absl::string_view bytes);

// The first PEM block in `text` (text before it is ignored, as OpenSSL
// does). `source` names the input in errors.
absl::StatusOr<PemBlock> PemDecode(absl::string_view text,
                                   absl::string_view source);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_KEYS_INTERNAL_PEM_H_
