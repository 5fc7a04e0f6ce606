// A repository's objects by id for the history scan: read from its pack
// files by GitPack, deltas applied with a cache of the objects made last
// (the versions the next ones are made from), and from libgit2's object
// database for everything else (loose objects, alternates, a pack that
// could not be opened, objects over kMaxGitObjectBytes). An object of a
// damaged pack is an error, never left to libgit2: libgit2 maps packs into
// memory, and a file cut short under a mapping stops the process.
//
// libgit2 resolves every delta chain from its base again for each object,
// which made reading cost ~90% of a history scan; here each object read in
// the order of history costs one delta applied to a cached base.
//
// GitPacks is opened once and shared; a GitObjectReader belongs to one
// thread (its cache, read buffer and zlib state are not locked).
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_OBJECTS_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_OBJECTS_H_

#include <git2.h>
#include <zlib.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "stages/scan/secrets/internal/git_pack.h"

namespace dso {

// Objects larger than this are left to libgit2.
inline constexpr uint64_t kMaxGitObjectBytes = 256ull << 20;

struct GitObjectBytes {
  GitType type = GitType::kBlob;  // commit, tree, blob or tag
  std::string data;
};
using GitObjectRef = std::shared_ptr<const GitObjectBytes>;

// Packs read into memory whole, at most this much in all by default
// (larger ones are read as needed, a window at a time).
inline constexpr uint64_t kMaxResidentPackBytes = 128ull << 20;

// The pack files of a repository, opened beneath its git directory.
struct GitPacks {
  std::vector<std::unique_ptr<GitPack>> packs;
  // Packs that could not be opened (their objects come from libgit2).
  std::vector<std::string> warnings;
};
GitPacks OpenGitPacks(git_repository* repo,
                      uint64_t max_resident_bytes = kMaxResidentPackBytes);

class GitObjectReader {
 public:
  // `packs` must outlive the reader; `repo` (for libgit2's reads) is this
  // thread's handle of the same repository, or null to read packs only.
  GitObjectReader(const GitPacks& packs, git_repository* repo,
                  size_t cache_bytes = 32 << 20);
  ~GitObjectReader();
  GitObjectReader(const GitObjectReader&) = delete;
  GitObjectReader& operator=(const GitObjectReader&) = delete;

  // The object `id`; NotFound when the repository lacks it, DataLoss when
  // it cannot be read.
  absl::StatusOr<GitObjectRef> Read(const git_oid& id);

 private:
  using Key = std::pair<size_t, uint64_t>;  // pack, offset
  absl::StatusOr<GitObjectRef> ReadPacked(size_t pack, uint64_t offset);
  absl::StatusOr<GitObjectRef> ReadFromLibgit2(const git_oid& id);
  // The pack's bytes [from, to), from the read buffer when it holds them.
  absl::StatusOr<absl::string_view> Bytes(size_t pack, uint64_t from,
                                          uint64_t to);
  absl::StatusOr<std::string> Inflate(size_t pack, const GitPackEntry& e);
  GitObjectRef Cached(const Key& key);
  void Remember(const Key& key, GitObjectRef object);

  const GitPacks& packs_;
  git_repository* repo_;
  z_stream zlib_{};
  bool zlib_ready_ = false;
  // The read buffer: bytes of one pack from `buffer_from_`.
  std::string buffer_;
  size_t buffer_pack_ = SIZE_MAX;
  uint64_t buffer_from_ = 0;
  // Least recently used first.
  size_t cache_bytes_, cached_ = 0;
  std::list<std::pair<Key, GitObjectRef>> lru_;
  absl::flat_hash_map<Key, std::list<std::pair<Key, GitObjectRef>>::iterator>
      cache_;
  size_t last_pack_ = 0;  // where the last object was found
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GIT_OBJECTS_H_
