// A pack and its index as a hostile repository may hold them: the input is
// a 4-byte little-endian length, that many bytes of index, then the pack.
// Every object the index names is read, with the pack read whole and a
// window at a time.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "stages/scan/secrets/internal/git_objects.h"
#include "stages/scan/secrets/internal/git_pack.h"
#include "tests/fuzz/fuzz_temp_dir.h"

namespace {

// Packs sit beneath an objects/pack directory, as in a repository.
const std::string& Root() {
  static const std::string root = [] {
    std::string dir = dso::FuzzTempDir();
    std::filesystem::create_directories(dir + "/objects/pack");
    return dir;
  }();
  return root;
}

void Write(const std::string& path, absl::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t n = data[0] | (data[1] << 8) | (data[2] << 16) |
               (static_cast<uint32_t>(data[3]) << 24);
  absl::string_view in(reinterpret_cast<const char*>(data + 4), size - 4);
  if (n > in.size()) return 0;
  absl::string_view idx = in.substr(0, n), pack = in.substr(n);
  const std::string dir = Root() + "/objects/pack";
  Write(dir + "/pack-f.idx", idx);
  Write(dir + "/pack-f.pack", pack);
  for (uint64_t resident : {uint64_t{0}, uint64_t{1} << 20}) {
    auto opened =
        dso::GitPack::Open(Root(), "objects/pack", "pack-f", 1 << 20, resident);
    if (!opened.ok()) return 0;
    dso::GitPacks packs;
    packs.packs.push_back(*std::move(opened));
    dso::GitObjectReader reader(packs, nullptr, 64 << 10);
    // The ids the index lists (its validity was checked by Open).
    const uint32_t count =
        (static_cast<uint32_t>(static_cast<uint8_t>(idx[8 + 1020])) << 24) |
        (static_cast<uint8_t>(idx[8 + 1021]) << 16) |
        (static_cast<uint8_t>(idx[8 + 1022]) << 8) |
        static_cast<uint8_t>(idx[8 + 1023]);
    for (uint32_t i = 0; i < count && i < 64; ++i) {
      git_oid id;
      std::memcpy(id.id, idx.data() + 8 + 1024 + 20 * size_t{i}, 20);
      auto object = reader.Read(id);
      if (object.ok() && (*object)->data.size() > dso::kMaxGitObjectBytes) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
