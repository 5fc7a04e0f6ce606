// BlobStore: the agent's local content-addressed store.
//
// Blobs live at <root>/blobs/sha256/<hex> (mode 0600), their owners at
// <root>/owners/<hex>. A writer streams into a private
// temporary file under <root>/tmp while hashing; Commit() checks the digest
// and size the client declared, fsyncs and renames the file into place, so a
// blob is either whole and verified or not visible at all. Concurrent puts
// of the same blob are safe: each writes its own temp file and the rename of
// identical content is idempotent.
//
//   ASSIGN_OR_RETURN(auto store, BlobStore::Open("/var/lib/dso/store"));
//   ASSIGN_OR_RETURN(auto w, store->NewWriter());
//   RETURN_IF_ERROR(w->Append(bytes));
//   ASSIGN_OR_RETURN(BlobInfo info, w->Commit(declared_digest, size));
//
// BlobStore is thread-safe; a BlobWriter is used by one thread.
#ifndef DSO_STAGES_STORE_BLOB_STORE_H_
#define DSO_STAGES_STORE_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "stages/core/sha256.h"

namespace dso {

struct BlobInfo {
  std::string digest;  // "sha256:<hex>"
  uint64_t size = 0;
};

class BlobWriter {
 public:
  ~BlobWriter();  // discards the temp file unless committed
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Fails (and the blob can no longer be committed) on a write error such
  // as a full disk, or once more bytes arrive than `max_size` allows.
  absl::Status Append(absl::string_view data);
  // Verifies what was written against the expected digest and size (empty /
  // nullopt: not checked) and makes the blob visible.
  absl::StatusOr<BlobInfo> Commit(absl::string_view expected_digest,
                                  std::optional<uint64_t> expected_size);
  uint64_t bytes_written() const { return size_; }

 private:
  friend class BlobStore;
  BlobWriter(std::string root, std::string tmp_path, int fd, uint64_t max_size);

  std::string root_;
  std::string tmp_path_;
  int fd_;
  uint64_t max_size_;
  uint64_t size_ = 0;
  Sha256 hash_;
  absl::Status error_;
  bool committed_ = false;
};

class BlobStore {
 public:
  // How a store is opened: the agent's own (directories created, leftover
  // temp files of earlier processes removed), or a file:// store others
  // share (created for a put, never cleaned; for a get it must exist).
  enum class Mode { kOwn, kSharedCreate, kSharedExisting };
  static absl::StatusOr<std::unique_ptr<BlobStore>> Open(
      std::string root, Mode mode = Mode::kOwn);

  // `max_size` bounds what the writer accepts (0 accepts an empty blob
  // only).
  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter(
      uint64_t max_size = UINT64_MAX);
  // NOT_FOUND when absent; INVALID_ARGUMENT for a malformed digest.
  absl::StatusOr<BlobInfo> Stat(absl::string_view digest) const;
  // Path of a present blob, for reading. Marks the blob used (its mtime),
  // which keeps Collect off it for a while.
  absl::StatusOr<std::string> PathOf(absl::string_view digest) const;
  // Copies a file into the store.
  absl::StatusOr<BlobInfo> PutFile(const std::string& path);
  // Moves a file the caller owns (a run's scratch file) into the store:
  // hashed, synced and renamed, without a copy; copied (PutFile) when it
  // is on another file system. The file is gone from `path` afterwards.
  absl::StatusOr<BlobInfo> AdoptFile(const std::string& path);

  // Who may read a blob without the right to read every blob: the
  // identities that uploaded it or whose runs produced it, one escaped line
  // each in <root>/owners/<hex>. Idempotent.
  absl::Status AddOwner(absl::string_view digest, absl::string_view identity);
  bool IsOwner(absl::string_view digest, absl::string_view identity) const;

  // Removes an upload a run has used up (a workspace tar, once unpacked):
  // only when `identity` is its one owner and nothing has used it since
  // `since` (another run naming it, a client's Stat before uploading it
  // again). True when removed.
  bool DropIfUnusedSince(absl::string_view digest, absl::Time since,
                         absl::string_view identity) const;

  // Garbage collection: removes the blobs (and their owners) not used
  // (written, read through PathOf, put again) for longer than `max_age`,
  // then the least recently used until the store holds at most
  // `max_bytes` — never one used within `grace`, which a run may be about
  // to read.
  struct Collected {
    int removed = 0;
    uint64_t freed_bytes = 0, kept_bytes = 0;
  };
  Collected Collect(absl::Duration max_age, uint64_t max_bytes,
                    absl::Duration grace, absl::Time now) const;

  const std::string& root() const { return root_; }

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace dso

#endif  // DSO_STAGES_STORE_BLOB_STORE_H_
