#include "stages/scan/secrets/internal/git_objects.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/secrets/internal/git_delta.h"
#include "stages/scan/secrets/internal/git_handles.h"

namespace dso {
namespace {

// Longer delta chains are taken for a hostile pack (git's deepest is 4095).
constexpr int kMaxDeltaDepth = 10000;
// At least this much of a pack is read at a time: history read in order
// finds its next objects close by.
constexpr uint64_t kReadAhead = 16 << 10;
// The largest index read (about 28 bytes an object).
constexpr uint64_t kMaxIndexBytes = 1ull << 30;
// Objects over this share of the cache are not kept in it.
constexpr size_t kCacheShare = 8;

// The most bytes zlib's deflate makes of `n` bytes (deflateBound, with the
// stream's header and checksum): a compressed object is never longer.
uint64_t DeflatedBound(uint64_t n) {
  return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 6;
}

}  // namespace

GitPacks OpenGitPacks(git_repository* repo, uint64_t max_resident_bytes) {
  GitPacks out;
  const char* common = Git2().git_repository_commondir(repo);
  if (!common) return out;
  std::string root(absl::StripSuffix(common, "/"));
  auto dir_fd = OpenBeneath(root, "objects/pack", O_RDONLY | O_DIRECTORY);
  if (!dir_fd.ok()) return out;  // no packs: libgit2 reads loose objects
  DIR* dir = fdopendir(*dir_fd);
  if (!dir) {
    close(*dir_fd);
    return out;
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    absl::string_view n = e->d_name;
    if (absl::ConsumeSuffix(&n, ".idx")) names.emplace_back(n);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  uint64_t resident_left = max_resident_bytes;
  for (const std::string& name : names) {
    auto pack = GitPack::Open(root, "objects/pack", name, kMaxIndexBytes,
                              resident_left);
    if (pack.ok()) {
      resident_left -= (*pack)->resident().size();
      out.packs.push_back(*std::move(pack));
    } else {
      out.warnings.push_back(absl::StrCat(pack.status().message(),
                                          " (read through libgit2 instead)"));
    }
  }
  return out;
}

GitObjectReader::GitObjectReader(const GitPacks& packs, git_repository* repo,
                                 size_t cache_bytes)
    : packs_(packs), repo_(repo), cache_bytes_(cache_bytes) {
  zlib_ready_ = inflateInit(&zlib_) == Z_OK;
}

GitObjectReader::~GitObjectReader() {
  if (zlib_ready_) inflateEnd(&zlib_);
}

absl::StatusOr<GitObjectRef> GitObjectReader::Read(const git_oid& id) {
  const size_t n = packs_.packs.size();
  for (size_t i = 0; i < n && zlib_ready_; ++i) {
    size_t k = (last_pack_ + i) % n;
    std::optional<uint64_t> offset = packs_.packs[k]->Find(id);
    if (!offset) continue;
    last_pack_ = k;
    auto object = ReadPacked(k, *offset);
    // Larger than this reader makes: libgit2 reads it whole. A damaged
    // pack is not handed to libgit2, which maps packs into memory (a pack
    // cut short under a mapping stops the process).
    if (object.status().code() != absl::StatusCode::kResourceExhausted) {
      return object;
    }
    break;
  }
  return ReadFromLibgit2(id);
}

absl::StatusOr<GitObjectRef> GitObjectReader::ReadFromLibgit2(
    const git_oid& id) {
  if (!repo_) {
    return absl::NotFoundError(
        absl::StrCat("object ", OidHex(id), " is in none of the packs"));
  }
  git_odb* odb = nullptr;
  if (Git2().git_repository_odb(&odb, repo_) != 0) {
    return absl::DataLossError(GitError());
  }
  git_odb_object* raw = nullptr;
  int rc = Git2().git_odb_read(&raw, odb, &id);
  Git2().git_odb_free(odb);
  if (rc != 0) {
    std::string message = absl::StrCat("object ", OidHex(id), ": ", GitError());
    return rc == GIT_ENOTFOUND ? absl::NotFoundError(message)
                               : absl::DataLossError(message);
  }
  auto object = std::make_shared<GitObjectBytes>();
  object->type = static_cast<GitType>(Git2().git_odb_object_type(raw));
  object->data.assign(static_cast<const char*>(Git2().git_odb_object_data(raw)),
                      Git2().git_odb_object_size(raw));
  Git2().git_odb_object_free(raw);
  return GitObjectRef(std::move(object));
}

absl::StatusOr<absl::string_view> GitObjectReader::Bytes(size_t pack,
                                                         uint64_t from,
                                                         uint64_t to) {
  const GitPack& p = *packs_.packs[pack];
  if (!p.resident().empty()) return p.Slice(from, to);
  if (pack != buffer_pack_ || from < buffer_from_ ||
      to > buffer_from_ + buffer_.size()) {
    uint64_t until = std::max(to, std::min(p.size(), from + kReadAhead));
    buffer_pack_ = SIZE_MAX;
    if (auto s = p.Read(from, until, &buffer_); !s.ok()) return s;
    buffer_pack_ = pack;
    buffer_from_ = from;
  }
  return absl::string_view(buffer_).substr(from - buffer_from_, to - from);
}

absl::StatusOr<std::string> GitObjectReader::Inflate(size_t pack,
                                                     const GitPackEntry& e) {
  const GitPack& p = *packs_.packs[pack];
  uint64_t to = std::min(e.end, e.data_offset + DeflatedBound(e.size));
  // zlib makes at most ~1032 bytes of one: a larger size is a lie, refused
  // before anything is allocated for it.
  if (e.size / 1032 > to - e.data_offset + 64) {
    return absl::DataLossError(absl::StrCat(
        p.name(), ": the object at ", e.data_offset, " declares ", e.size,
        " bytes, more than its compressed bytes can hold"));
  }
  auto in = Bytes(pack, e.data_offset, to);
  if (!in.ok()) return in.status();
  std::string out(e.size, '\0');
  char spare = 0;
  inflateReset(&zlib_);
  zlib_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in->data()));
  zlib_.avail_in = static_cast<uInt>(in->size());
  zlib_.next_out = reinterpret_cast<Bytef*>(e.size ? out.data() : &spare);
  zlib_.avail_out = static_cast<uInt>(e.size ? e.size : 1);
  int rc = inflate(&zlib_, Z_FINISH);
  if (rc != Z_STREAM_END || zlib_.total_out != e.size) {
    return absl::DataLossError(
        absl::StrCat(p.name(), ": the object at ", e.data_offset,
                     " does not inflate to its size of ", e.size, " bytes"));
  }
  return out;
}

GitObjectRef GitObjectReader::Cached(const Key& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return nullptr;
  lru_.splice(lru_.end(), lru_, it->second);
  return it->second->second;
}

void GitObjectReader::Remember(const Key& key, GitObjectRef object) {
  size_t size = object->data.size();
  if (size > cache_bytes_ / kCacheShare || cache_.contains(key)) return;
  while (cached_ + size > cache_bytes_ && !lru_.empty()) {
    cached_ -= lru_.front().second->data.size();
    cache_.erase(lru_.front().first);
    lru_.pop_front();
  }
  lru_.emplace_back(key, std::move(object));
  cache_[key] = std::prev(lru_.end());
  cached_ += size;
}

absl::StatusOr<GitObjectRef> GitObjectReader::ReadPacked(size_t pack,
                                                         uint64_t offset) {
  const GitPack& p = *packs_.packs[pack];
  // Down the chain of deltas to a cached object or a whole one.
  std::vector<std::pair<uint64_t, std::string>> deltas;  // offset, delta
  uint64_t delta_bytes = 0;
  GitObjectRef base;
  for (uint64_t at = offset;;) {
    if ((base = Cached({pack, at}))) break;
    if (deltas.size() > kMaxDeltaDepth || delta_bytes > kMaxGitObjectBytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          p.name(), ": the delta chain at ", offset, " is too long"));
    }
    std::optional<uint64_t> end = p.EndOf(at);
    if (!end) {
      return absl::DataLossError(
          absl::StrCat(p.name(), ": no object starts at ", at));
    }
    // The header is at most 32 bytes (a 20-byte base id included).
    auto head = Bytes(pack, at, std::min(*end, at + 32));
    if (!head.ok()) return head.status();
    auto e = p.ParseEntry(at, *head);
    if (!e.ok()) return e.status();
    e->end = *end;
    if (e->size > kMaxGitObjectBytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(p.name(), ": the object at ", at, " is too large"));
    }
    auto data = Inflate(pack, *e);
    if (!data.ok()) return data.status();
    if (e->type != GitType::kOfsDelta && e->type != GitType::kRefDelta) {
      auto whole = std::make_shared<GitObjectBytes>();
      whole->type = e->type;
      whole->data = *std::move(data);
      base = std::move(whole);
      Remember({pack, at}, base);
      break;
    }
    delta_bytes += data->size();
    deltas.emplace_back(at, *std::move(data));
    if (e->type == GitType::kOfsDelta) {
      at = e->base_offset;
    } else if (std::optional<uint64_t> b = p.Find(e->base_id)) {
      at = *b;
    } else {
      return absl::DataLossError(absl::StrCat(
          p.name(), ": the base of the object at ", at, " is not in it"));
    }
  }
  // Back up the chain, each delta applied to the object below it.
  while (!deltas.empty()) {
    auto made =
        ApplyGitDelta(base->data, deltas.back().second, kMaxGitObjectBytes);
    if (!made.ok()) {
      return absl::DataLossError(absl::StrCat(p.name(), ": the object at ",
                                              deltas.back().first, ": ",
                                              made.status().message()));
    }
    auto object = std::make_shared<GitObjectBytes>();
    object->type = base->type;
    object->data = *std::move(made);
    base = std::move(object);
    Remember({pack, deltas.back().first}, base);
    deltas.pop_back();
  }
  return base;
}

}  // namespace dso
