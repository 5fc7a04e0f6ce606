// file://DIR: a content-addressed store on a local or mounted file system
// (the layout of the agent's own store, blob_store.h). Objects are named by
// their digest: Put returns it, Get takes it in the URL
// (file://DIR/sha256:<hex>) or as the expected digest.
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/files/verified_file.h"
#include "stages/store/blob_store.h"
#include "stages/store/object_store_impl.h"

namespace dso {
namespace {

class FileStore : public ObjectStore {
 public:
  FileStore(std::string root, std::string digest)
      : root_(std::move(root)), digest_(std::move(digest)) {}

  absl::StatusOr<StoredObject> Put(const std::string& path) override {
    ASSIGN_OR_RETURN(auto store,
                     BlobStore::Open(root_, BlobStore::Mode::kSharedCreate));
    ASSIGN_OR_RETURN(BlobInfo info, store->PutFile(path));
    return StoredObject{absl::StrCat("file://", root_, "/", info.digest),
                        info.digest, info.size};
  }

  absl::StatusOr<StoredObject> Get(const std::string& path,
                                   const std::string& expected) override {
    std::string digest = expected.empty() ? digest_ : expected;
    if (digest.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "file://", root_,
          ": name the object by its digest (file://DIR/sha256:<hex>)"));
    }
    if (!digest_.empty() && digest != digest_) {
      return absl::InvalidArgumentError(
          "the URL's digest and the expected digest differ");
    }
    ASSIGN_OR_RETURN(auto store,
                     BlobStore::Open(root_, BlobStore::Mode::kSharedExisting));
    ASSIGN_OR_RETURN(std::string blob, store->PathOf(digest));
    int fd = open(blob.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::NotFoundError(absl::StrCat("cannot open ", blob));
    absl::StatusOr<std::unique_ptr<VerifiedFile>> out =
        VerifiedFile::Create(path);
    absl::Status s = out.status();
    std::string buf(1 << 20, '\0');
    while (s.ok()) {
      ssize_t n = read(fd, buf.data(), buf.size());
      if (n < 0) s = absl::DataLossError(absl::StrCat("cannot read ", blob));
      if (n <= 0) break;
      if (!(*out)->Append(absl::string_view(buf.data(), n))) break;
    }
    close(fd);
    RETURN_IF_ERROR(s);
    std::string url = absl::StrCat("file://", root_, "/", digest);
    ASSIGN_OR_RETURN(FileDigest got, (*out)->Commit(digest, url));
    return StoredObject{url, got.digest, got.size};
  }

 private:
  std::string root_, digest_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenFileStore(
    const std::string& url, const StoreOptions& options) {
  std::string rest = url.substr(7);  // after file://
  std::string digest;
  size_t at = rest.rfind("/sha256:");
  if (at != std::string::npos) {
    digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  }
  if (rest.empty() || rest.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("store URL '", url,
                     "': file:// needs an absolute directory (file:///DIR)"));
  }
  if (options.local_dir) {
    ASSIGN_OR_RETURN(rest, options.local_dir(rest));
  }
  return std::make_unique<FileStore>(rest, digest);
}

}  // namespace dso
