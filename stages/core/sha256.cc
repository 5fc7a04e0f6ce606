#include "stages/core/sha256.h"

// OpenSSL's SHA256_* functions, deprecated in 3.0 but kept: the same
// assembly as EVP's SHA-256 without EVP's first use, which loads
// openssl.cnf and the default provider (0.8 ms of every short command;
// docs/benchmarks.md).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <fcntl.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "stages/core/bounded_file.h"

namespace dso {

Sha256::Sha256() : ctx_(new SHA256_CTX) {
  SHA256_Init(static_cast<SHA256_CTX*>(ctx_));
}

Sha256::~Sha256() { delete static_cast<SHA256_CTX*>(ctx_); }

void Sha256::Update(absl::string_view data) {
  SHA256_Update(static_cast<SHA256_CTX*>(ctx_), data.data(), data.size());
}

std::string Sha256::FinishHex() {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, static_cast<SHA256_CTX*>(ctx_));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

std::string Sha256::Finish() { return absl::StrCat("sha256:", FinishHex()); }

std::string Sha256Digest(absl::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

absl::StatusOr<std::string> ParseSha256Digest(absl::string_view digest) {
  constexpr absl::string_view kPrefix = "sha256:";
  if (digest.substr(0, kPrefix.size()) != kPrefix ||
      digest.size() != kPrefix.size() + 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("digest '", digest.substr(0, 80),
                     "' is not of the form sha256:<64 lowercase hex digits>"));
  }
  absl::string_view hex = digest.substr(kPrefix.size());
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "digest '", digest, "' has a character that is not lowercase hex"));
    }
  }
  return std::string(hex);
}

absl::StatusOr<FileDigest> Sha256File(const std::string& path) {
  // Regular files only: a device would be hashed until the deadline.
  absl::StatusOr<int> opened = OpenRegularFile(path);
  if (!opened.ok()) return opened.status();
  int fd = *opened;
  Sha256 h;
  FileDigest out;
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return absl::InternalError(
          absl::StrCat("cannot read '", path, "': ", std::strerror(err)));
    }
    if (n == 0) break;
    h.Update(absl::string_view(buf.data(), n));
    out.size += n;
  }
  close(fd);
  out.digest = h.Finish();
  return out;
}

}  // namespace dso
