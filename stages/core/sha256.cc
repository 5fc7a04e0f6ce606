#include "stages/core/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "stages/core/bounded_file.h"

namespace dso {

namespace {

// Fetched once: EVP_sha256() makes every init look the algorithm up in
// OpenSSL's provider tables again.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), Sha256Md(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(absl::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Sha256::FinishHex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), len));
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
