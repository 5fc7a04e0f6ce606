// Incremental SHA-256 (OpenSSL) and "sha256:<hex>" digest strings.
//
//   Sha256 h;
//   h.Update(data);
//   std::string digest = h.Finish();  // "sha256:9f86d0..."
#ifndef DSO_STAGES_CORE_SHA256_H_
#define DSO_STAGES_CORE_SHA256_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// Not thread-safe; one instance per stream of bytes.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  // Returns "sha256:<64 lowercase hex>". The object cannot be reused after.
  std::string Finish();
  // Lowercase hex of the digest, no prefix.
  std::string FinishHex();

 private:
  void* ctx_;  // SHA256_CTX, owned
};

// Digest of a whole string, "sha256:<hex>".
std::string Sha256Digest(absl::string_view data);

// Checks "sha256:<64 lowercase hex>" and returns the hex part.
absl::StatusOr<std::string> ParseSha256Digest(absl::string_view digest);

// Digest and size of a file, read in chunks.
struct FileDigest {
  std::string digest;
  uint64_t size = 0;
};
absl::StatusOr<FileDigest> Sha256File(const std::string& path);

}  // namespace dso

#endif  // DSO_STAGES_CORE_SHA256_H_
