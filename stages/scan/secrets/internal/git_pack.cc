#include "stages/scan/secrets/internal/git_pack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "stages/core/bounded_file.h"

namespace dso {
namespace {

constexpr size_t kOidBytes = GIT_OID_RAWSZ;
constexpr uint64_t kPackHeader = 12;
constexpr uint64_t kTrailer = kOidBytes;  // the pack's checksum
constexpr size_t kFanout = 256 * 4;
constexpr size_t kIndexHeader = 8;

uint32_t Be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
         (uint32_t{u[2]} << 8) | u[3];
}

uint64_t Be64(const char* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

}  // namespace

absl::StatusOr<std::unique_ptr<GitPack>> GitPack::Open(
    const std::string& root, const std::string& dir, const std::string& name,
    uint64_t max_index_bytes, uint64_t max_resident_bytes) {
  std::unique_ptr<GitPack> pack(new GitPack);
  pack->name_ = absl::StrCat(dir, "/", name, ".pack");
  auto idx_fd = OpenRegularBeneath(root, absl::StrCat(dir, "/", name, ".idx"));
  if (!idx_fd.ok()) return idx_fd.status();
  auto index =
      ReadBounded(*idx_fd, absl::StrCat(name, ".idx"), max_index_bytes);
  close(*idx_fd);
  if (!index.ok()) return index.status();
  pack->index_ = *std::move(index);
  auto fd = OpenRegularBeneath(root, pack->name_);
  if (!fd.ok()) return fd.status();
  pack->pack_fd_ = *fd;
  struct stat st;
  if (fstat(pack->pack_fd_, &st) != 0) {
    return absl::DataLossError(
        absl::StrCat(pack->name_, ": ", std::strerror(errno)));
  }
  pack->pack_size_ = static_cast<uint64_t>(st.st_size);
  if (auto s = pack->ParseIndex(); !s.ok()) return s;
  if (auto s = pack->CheckPack(); !s.ok()) return s;
  if (pack->pack_size_ <= max_resident_bytes) {
    std::string whole;
    if (auto s = pack->Read(0, pack->pack_size_, &whole); !s.ok()) return s;
    pack->resident_ = std::move(whole);
  }
  return pack;
}

GitPack::~GitPack() {
  if (pack_fd_ >= 0) close(pack_fd_);
}

absl::Status GitPack::ParseIndex() {
  auto bad = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(name_, ": its index is ", what));
  };
  const std::string& x = index_;
  if (x.size() < kIndexHeader + kFanout + 2 * kOidBytes) {
    return bad("too short");
  }
  if (x.compare(0, 4, "\377tOc") != 0 || Be32(x.data() + 4) != 2) {
    return bad("not of version 2");
  }
  const char* fanout = x.data() + kIndexHeader;
  uint32_t prev = 0;
  for (int i = 0; i < 256; ++i) {
    uint32_t v = Be32(fanout + 4 * i);
    if (v < prev) return bad("out of order");
    prev = v;
  }
  count_ = prev;
  const uint64_t tables = kIndexHeader + kFanout + uint64_t{count_} * 28;
  if (x.size() < tables + 2 * kOidBytes ||
      (x.size() - tables - 2 * kOidBytes) % 8 != 0) {
    return bad("of the wrong size for its object count");
  }
  const uint64_t large_count = (x.size() - tables - 2 * kOidBytes) / 8;
  const char* small = x.data() + kIndexHeader + kFanout + uint64_t{count_} * 24;
  const char* large = x.data() + tables;
  offsets_.resize(count_);
  for (uint32_t i = 0; i < count_; ++i) {
    uint64_t v = Be32(small + 4 * uint64_t{i});
    if (v & 0x80000000u) {
      uint64_t k = v & 0x7fffffffu;
      if (k >= large_count) return bad("naming a missing large offset");
      v = Be64(large + 8 * k);
    }
    if (v < kPackHeader || v >= pack_size_ - std::min(pack_size_, kTrailer)) {
      return bad("pointing outside the pack");
    }
    offsets_[i] = v;
  }
  sorted_ = offsets_;
  std::sort(sorted_.begin(), sorted_.end());
  return absl::OkStatus();
}

absl::Status GitPack::CheckPack() {
  std::string head;
  if (auto s = Read(0, kPackHeader, &head); !s.ok()) return s;
  uint32_t version = Be32(head.data() + 4);
  if (head.compare(0, 4, "PACK") != 0 || (version != 2 && version != 3)) {
    return absl::DataLossError(absl::StrCat(name_, ": not a pack file"));
  }
  if (Be32(head.data() + 8) != count_) {
    return absl::DataLossError(absl::StrCat(name_, ": holds ",
                                            Be32(head.data() + 8),
                                            " objects, its index ", count_));
  }
  return absl::OkStatus();
}

std::optional<uint64_t> GitPack::Find(const git_oid& id) const {
  const char* fanout = index_.data() + kIndexHeader;
  const unsigned char first = id.id[0];
  uint32_t lo = first ? Be32(fanout + 4 * (first - 1)) : 0;
  uint32_t hi = Be32(fanout + 4 * first);
  const char* ids = index_.data() + kIndexHeader + kFanout;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int c = std::memcmp(ids + uint64_t{mid} * kOidBytes, id.id, kOidBytes);
    if (c == 0) return offsets_[mid];
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> GitPack::EndOf(uint64_t offset) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), offset);
  if (it == sorted_.end() || *it != offset) return std::nullopt;
  auto next = std::upper_bound(it, sorted_.end(), offset);
  return next == sorted_.end() ? pack_size_ - kTrailer : *next;
}

absl::StatusOr<GitPackEntry> GitPack::ParseEntry(
    uint64_t offset, absl::string_view bytes) const {
  auto bad = [&](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat(name_, ": the object at ", offset, " ", what));
  };
  GitPackEntry e;
  e.end = offset + bytes.size();
  size_t i = 0;
  auto next = [&](unsigned char* b) {
    if (i >= bytes.size()) return false;
    *b = static_cast<unsigned char>(bytes[i++]);
    return true;
  };
  unsigned char b = 0;
  if (!next(&b)) return bad("is cut short");
  int type = (b >> 4) & 7;
  uint64_t size = b & 15;
  for (int shift = 4; b & 0x80; shift += 7) {
    if (shift > 57 || !next(&b)) return bad("has a malformed header");
    size |= static_cast<uint64_t>(b & 0x7f) << shift;
  }
  e.size = size;
  switch (type) {
    case 1:
    case 2:
    case 3:
    case 4:
      e.type = static_cast<GitType>(type);
      break;
    case 6: {
      e.type = GitType::kOfsDelta;
      if (!next(&b)) return bad("is cut short");
      uint64_t back = b & 0x7f;
      while (b & 0x80) {
        if (back >= (uint64_t{1} << 56) || !next(&b)) {
          return bad("has a malformed base offset");
        }
        back = ((back + 1) << 7) | (b & 0x7f);
      }
      if (back == 0 || back > offset) return bad("has a base outside the pack");
      e.base_offset = offset - back;
      break;
    }
    case 7:
      e.type = GitType::kRefDelta;
      if (bytes.size() - i < kOidBytes) return bad("is cut short");
      std::memcpy(e.base_id.id, bytes.data() + i, kOidBytes);
      i += kOidBytes;
      break;
    default:
      return bad(absl::StrCat("has the unknown type ", type));
  }
  e.data_offset = offset + i;
  return e;
}

absl::Status GitPack::CheckRange(uint64_t from, uint64_t to) const {
  if (from > to || to > pack_size_) {
    return absl::DataLossError(absl::StrCat(name_, ": a read past its end (",
                                            to, " of ", pack_size_, " bytes)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> GitPack::Slice(uint64_t from,
                                                 uint64_t to) const {
  if (auto s = CheckRange(from, to); !s.ok()) return s;
  return absl::string_view(resident_).substr(from, to - from);
}

absl::Status GitPack::Read(uint64_t from, uint64_t to, std::string* out) const {
  if (auto s = CheckRange(from, to); !s.ok()) return s;
  out->resize(to - from);
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = pread(pack_fd_, out->data() + done, out->size() - done,
                      static_cast<off_t>(from + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::DataLossError(absl::StrCat(
          name_, ": ", n < 0 ? std::strerror(errno) : "cut short while read"));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace dso
