// Encoded text that may hide a secret, found and decoded as gitleaks does
// (its `--max-decode-depth`): runs of percent escapes (`%41%42`), of 32 or
// more hex digits, and of 16 or more base64 characters (standard, then
// URL-safe alphabet) whose decoded bytes are all printable ASCII. Where two
// segments touch, the lower-precedence one (percent > hex > base64) waits
// for the next pass. The worker rescans decoded text and reports what it
// finds at the encoded text's place.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_DECODER_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_DECODER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace dso {

enum EncodingKind : uint8_t {
  kPercentEncoding = 1,
  kHexEncoding = 2,
  kBase64Encoding = 4,
};

struct EncodedSegment {
  size_t start = 0, end = 0;  // the encoded text, offsets in the input
  EncodingKind kind = kBase64Encoding;
  std::string decoded;  // never empty
};

// The segments of text[from, to) that decode, in order. Segments never
// cross a line, so scanning line by line finds the same ones.
std::vector<EncodedSegment> FindEncodedSegments(absl::string_view text,
                                                size_t from, size_t to);

// "percent", "hex", "base64" for each kind in `kinds` (an OR of kinds).
std::vector<std::string> EncodingNames(uint8_t kinds);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_DECODER_H_
