#include "stages/scan/deps/go_buildinfo.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace dso {
namespace {

constexpr absl::string_view kMagic("\xff Go buildinf:", 14);
constexpr size_t kHeaderSize = 32;
constexpr int kFlagsInline = 0x2;

// A uvarint-length-prefixed string from the front of `data`.
bool TakeString(absl::string_view* data, absl::string_view* out) {
  uint64_t n = 0;
  int shift = 0;
  size_t i = 0;
  for (;; ++i) {
    if (i >= data->size() || shift > 63) return false;
    auto b = static_cast<unsigned char>((*data)[i]);
    n |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  data->remove_prefix(i + 1);
  if (n > data->size()) return false;
  *out = data->substr(0, n);
  data->remove_prefix(n);
  return true;
}

}  // namespace

void GoBuildInfoFinder::Feed(absl::string_view chunk) {
  if (found_) {
    absl::StrAppend(&data_,
                    chunk.substr(0, kKeep - std::min(kKeep, data_.size())));
    return;
  }
  // A marker across the boundary: the last bytes before and the first of
  // this chunk; else one inside the chunk, searched in place.
  const size_t edge_len = kMagic.size() - 1;
  std::string edge = absl::StrCat(tail_, chunk.substr(0, edge_len));
  size_t at = edge.find(kMagic.data(), 0, kMagic.size());
  if (at != std::string::npos) {
    found_ = true;
    data_ = edge.substr(at);
    Feed(chunk.substr(std::min(chunk.size(), edge_len)));
    return;
  }
  at = chunk.find(kMagic);
  if (at != absl::string_view::npos) {
    found_ = true;
    data_ = std::string(chunk.substr(at, kKeep));
    return;
  }
  std::string all = absl::StrCat(
      tail_, chunk.substr(chunk.size() - std::min(chunk.size(), edge_len)));
  tail_ = all.substr(all.size() - std::min(all.size(), edge_len));
}

absl::Status ParseGoBuildInfo(absl::string_view data, const std::string& file,
                              Inventory* out) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": Go build information ", why));
  };
  if (!absl::StartsWith(data, kMagic) || data.size() < kHeaderSize) {
    return bad("not found");
  }
  if (!(static_cast<unsigned char>(data[15]) & kFlagsInline)) {
    return bad("from before Go 1.18, not read");
  }
  data.remove_prefix(kHeaderSize);
  absl::string_view version, modinfo;
  if (!TakeString(&data, &version) || !TakeString(&data, &modinfo)) {
    return bad("cut short");
  }
  // "go1.21.3" or "go1.22.0 X:boringcrypto": the stdlib's version.
  absl::string_view go = version.substr(0, version.find(' '));
  if (absl::ConsumePrefix(&go, "go") && !go.empty() &&
      absl::ascii_isdigit(go[0])) {
    out->packages.push_back({"Go", "stdlib", std::string(go), file, 0});
  }
  // Between 16-byte sentinels: tab-separated lines.
  if (modinfo.size() >= 32) modinfo = modinfo.substr(16, modinfo.size() - 32);
  Package* last = nullptr;
  for (absl::string_view line : absl::StrSplit(modinfo, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (f.size() >= 3 && (f[0] == "mod" || f[0] == "dep")) {
      absl::string_view v = f[2];
      last = nullptr;
      if (v == "(devel)") continue;
      absl::ConsumePrefix(&v, "v");
      out->packages.push_back(
          {"Go", std::string(f[1]), std::string(v), file, 0});
      last = &out->packages.back();
    } else if (f.size() >= 3 && f[0] == "=>" && last) {
      // A replacement: the module actually built.
      absl::string_view v = f[2];
      absl::ConsumePrefix(&v, "v");
      last->name = std::string(f[1]);
      last->version = std::string(v);
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
