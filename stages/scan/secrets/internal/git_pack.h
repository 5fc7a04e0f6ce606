// One git pack file and its index (version 2), read with pread: where an
// object is, and its entry (type, size, compressed bytes, delta base). The
// history scan's fast path; GitObjectReader resolves deltas and caches.
//
// Everything read is checked: the index's tables against its size, every
// offset against the pack's, entry headers against the extent that the next
// object's offset leaves them. A pack cut short or written by hand yields
// DataLoss errors, never a read outside the file. Files are opened beneath
// the repository's directory (no link leads out) and never mapped, so a
// file truncated while read cannot bring the process down.
//
// Immutable once opened: one GitPack may serve several threads.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_PACK_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_PACK_H_

#include <git2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// Object types as packs number them.
enum class GitType : int {
  kCommit = 1,
  kTree = 2,
  kBlob = 3,
  kTag = 4,
  kOfsDelta = 6,
  kRefDelta = 7,
};

// An entry's header and where its zlib data is.
struct GitPackEntry {
  GitType type = GitType::kBlob;
  uint64_t size = 0;         // inflated size (of the delta, for deltas)
  uint64_t data_offset = 0;  // zlib data in [data_offset, end)
  uint64_t end = 0;
  uint64_t base_offset = 0;  // kOfsDelta: the base's offset in this pack
  git_oid base_id{};         // kRefDelta: the base's id
};

class GitPack {
 public:
  // Opens `dir`/`name`.idx and `dir`/`name`.pack beneath `root` (`dir` is
  // relative to it). Indexes of more than `max_index_bytes` are refused. A
  // pack of at most `max_resident_bytes` is read into memory whole (one read
  // instead of one per object).
  static absl::StatusOr<std::unique_ptr<GitPack>> Open(
      const std::string& root, const std::string& dir, const std::string& name,
      uint64_t max_index_bytes, uint64_t max_resident_bytes);
  ~GitPack();
  GitPack(const GitPack&) = delete;
  GitPack& operator=(const GitPack&) = delete;

  // The offset of object `id` in the pack, if the pack holds it.
  std::optional<uint64_t> Find(const git_oid& id) const;

  // The end of the entry at `offset` (the next entry's offset, or where the
  // pack's checksum begins); nothing when no entry starts at `offset`.
  std::optional<uint64_t> EndOf(uint64_t offset) const;

  // The header of the entry at `offset`, parsed from `bytes`: the pack's
  // bytes [offset, EndOf(offset)).
  absl::StatusOr<GitPackEntry> ParseEntry(uint64_t offset,
                                          absl::string_view bytes) const;

  // Reads [from, to) of the pack; fails unless all of it is there.
  absl::Status Read(uint64_t from, uint64_t to, std::string* out) const;

  // All of the pack when it was read whole, else empty.
  absl::string_view resident() const { return resident_; }
  // [from, to) of a pack read whole; fails unless all of it is there.
  absl::StatusOr<absl::string_view> Slice(uint64_t from, uint64_t to) const;

  uint64_t size() const { return pack_size_; }
  const std::string& name() const { return name_; }

 private:
  GitPack() = default;
  absl::Status ParseIndex();
  absl::Status CheckPack();
  absl::Status CheckRange(uint64_t from, uint64_t to) const;

  std::string name_;
  int pack_fd_ = -1;
  uint64_t pack_size_ = 0;
  std::string resident_;           // the .pack file, when read whole
  std::string index_;              // the .idx file
  uint32_t count_ = 0;             // objects
  std::vector<uint64_t> offsets_;  // by index position
  std::vector<uint64_t> sorted_;   // all offsets, ascending
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_PACK_H_
