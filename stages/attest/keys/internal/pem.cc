#include "stages/attest/keys/internal/pem.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace dso {

std::string PemEncode(absl::string_view type, absl::string_view bytes) {
  std::string b64 = absl::Base64Escape(bytes);
  std::string out = absl::StrCat("-----BEGIN ", type, "-----\n");
  for (size_t i = 0; i < b64.size(); i += 64) {
    absl::StrAppend(&out, absl::string_view(b64).substr(i, 64), "\n");
  }
  absl::StrAppend(&out, "-----END ", type, "-----\n");
  return out;
}

absl::StatusOr<PemBlock> PemDecode(absl::string_view text,
                                   absl::string_view source) {
  constexpr absl::string_view kBegin = "-----BEGIN ";
  size_t begin = text.find(kBegin);
  if (begin == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not a PEM file (no -----BEGIN line)"));
  }
  size_t type_start = begin + kBegin.size();
  size_t type_end = text.find("-----", type_start);
  if (type_end == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": malformed PEM BEGIN line"));
  }
  PemBlock block;
  block.type = std::string(text.substr(type_start, type_end - type_start));
  std::string end_line = absl::StrCat("-----END ", block.type, "-----");
  size_t body_start = type_end + 5;
  size_t end = text.find(end_line, body_start);
  if (end == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": PEM block '", block.type, "' has no END line"));
  }
  std::string b64;
  for (char c : text.substr(body_start, end - body_start)) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) b64.push_back(c);
  }
  if (b64.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     ": PEM headers (legacy OpenSSL encryption) are not "
                     "supported; convert the key to PKCS#8"));
  }
  if (!absl::Base64Unescape(b64, &block.bytes)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": PEM block '", block.type, "' is not valid base64"));
  }
  return block;
}

}  // namespace dso
