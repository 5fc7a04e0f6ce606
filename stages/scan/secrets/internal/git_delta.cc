#include "stages/scan/secrets/internal/git_delta.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace dso {
namespace {

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed delta: ", what));
}

// A size as the delta header writes it: 7 bits a byte, low bits first.
bool ReadSize(absl::string_view& in, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    unsigned char b = static_cast<unsigned char>(in[0]);
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> ApplyGitDelta(absl::string_view base,
                                          absl::string_view delta,
                                          size_t max_size) {
  uint64_t base_size = 0, size = 0;
  if (!ReadSize(delta, &base_size) || !ReadSize(delta, &size)) {
    return Bad("truncated header");
  }
  if (base_size != base.size()) {
    return Bad(absl::StrCat("written for a base of ", base_size,
                            " bytes, the base has ", base.size()));
  }
  if (size > max_size) {
    return Bad(
        absl::StrCat("makes ", size, " bytes, over the limit of ", max_size));
  }
  std::string out;
  out.reserve(std::min<uint64_t>(size, 4 << 20));  // grows as it is made
  while (!delta.empty()) {
    unsigned char op = static_cast<unsigned char>(delta[0]);
    delta.remove_prefix(1);
    if (op & 0x80) {  // copy: offset and size bytes present per flag bit
      uint64_t offset = 0, n = 0;
      for (int i = 0; i < 7; ++i) {
        if (!(op & (1 << i))) continue;
        if (delta.empty()) return Bad("truncated copy");
        uint64_t b = static_cast<unsigned char>(delta[0]);
        delta.remove_prefix(1);
        if (i < 4) {
          offset |= b << (8 * i);
        } else {
          n |= b << (8 * (i - 4));
        }
      }
      if (n == 0) n = 0x10000;
      if (offset > base.size() || n > base.size() - offset) {
        return Bad("copies from beyond the base");
      }
      if (n > size - out.size()) return Bad("makes more than it declares");
      out.append(base.data() + offset, n);
    } else if (op != 0) {  // insert the next `op` bytes
      if (op > delta.size()) return Bad("truncated insert");
      if (op > size - out.size()) return Bad("makes more than it declares");
      out.append(delta.data(), op);
      delta.remove_prefix(op);
    } else {
      return Bad("reserved instruction 0");
    }
  }
  if (out.size() != size) {
    return Bad(absl::StrCat("makes ", out.size(), " bytes, declares ", size));
  }
  return out;
}

}  // namespace dso
