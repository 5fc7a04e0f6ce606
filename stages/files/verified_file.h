// VerifiedFile: a download that appears under its final name only whole
// and with the digest it should have. Bytes go to "<path>.part" while
// hashed; Commit checks the digest (and size), fsyncs and renames; a
// VerifiedFile destroyed uncommitted removes its part file.
#ifndef DSO_STAGES_FILES_VERIFIED_FILE_H_
#define DSO_STAGES_FILES_VERIFIED_FILE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/core/sha256.h"

namespace dso {

class VerifiedFile {
 public:
  static absl::StatusOr<std::unique_ptr<VerifiedFile>> Create(
      const std::string& path);
  ~VerifiedFile();
  VerifiedFile(const VerifiedFile&) = delete;
  VerifiedFile& operator=(const VerifiedFile&) = delete;

  // False once a write failed (the error is kept for Commit).
  bool Append(absl::string_view data);
  // Starts over (a retried download).
  absl::Status Reset();
  // `what` names the source in a mismatch error ("s3://b/k").
  absl::StatusOr<FileDigest> Commit(absl::string_view expected_digest,
                                    absl::string_view what);
  uint64_t size() const { return size_; }

 private:
  VerifiedFile(std::string path, int fd);
  std::string path_, part_;
  int fd_;
  uint64_t size_ = 0;
  std::unique_ptr<Sha256> hash_;
  absl::Status error_;
  bool committed_ = false;
};

}  // namespace dso

#endif  // DSO_STAGES_FILES_VERIFIED_FILE_H_
