#include "stages/files/verified_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "stages/core/fd_io.h"

namespace dso {

absl::StatusOr<std::unique_ptr<VerifiedFile>> VerifiedFile::Create(
    const std::string& path) {
  std::string part = path + ".part";
  int fd = open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create '", part, "': ", strerror(errno)));
  }
  return std::unique_ptr<VerifiedFile>(new VerifiedFile(path, fd));
}

VerifiedFile::VerifiedFile(std::string path, int fd)
    : path_(std::move(path)),
      part_(path_ + ".part"),
      fd_(fd),
      hash_(std::make_unique<Sha256>()) {}

VerifiedFile::~VerifiedFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(part_.c_str());
}

bool VerifiedFile::Append(absl::string_view data) {
  if (!error_.ok()) return false;
  hash_->Update(data);
  size_ += data.size();
  if (!WriteAll(fd_, data)) {
    error_ = absl::ResourceExhaustedError(
        absl::StrCat("cannot write '", part_, "': ", strerror(errno)));
    return false;
  }
  return true;
}

absl::Status VerifiedFile::Reset() {
  if (ftruncate(fd_, 0) != 0 || lseek(fd_, 0, SEEK_SET) != 0) {
    return absl::InternalError(absl::StrCat("cannot truncate '", part_, "'"));
  }
  hash_ = std::make_unique<Sha256>();
  size_ = 0;
  error_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::StatusOr<FileDigest> VerifiedFile::Commit(
    absl::string_view expected_digest, absl::string_view what) {
  if (!error_.ok()) return error_;
  FileDigest got{hash_->Finish(), size_};
  if (got.digest != expected_digest) {
    return absl::DataLossError(
        absl::StrCat(what, ": the bytes received have another digest (",
                     got.digest, ") than expected (", expected_digest,
                     "); nothing was written to '", path_, "'"));
  }
  if (fsync(fd_) != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot sync '", part_, "': ", strerror(errno)));
  }
  close(fd_);
  fd_ = -1;
  if (rename(part_.c_str(), path_.c_str()) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot rename to '", path_, "': ", strerror(errno)));
  }
  committed_ = true;
  return got;
}

}  // namespace dso
