// A hostile archive (plain, gzip, zstd or xz tar) unpacked as an uploaded
// workspace is: nothing may be written outside the destination.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "stages/files/tar_dir.h"
#include "tests/fuzz/fuzz_temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string root = dso::FuzzTempDir();
  const std::string tar = root + "/in.tar", dest = root + "/out/dest";
  std::ofstream(tar, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data),
             static_cast<std::streamsize>(size));
  std::filesystem::remove_all(root + "/out");
  std::filesystem::create_directories(dest);
  dso::UnpackLimits limits;
  limits.max_total_bytes = 4 << 20;
  limits.max_entries = 1000;
  (void)dso::UnpackTar(tar, dest, limits);
  // Anything beside the destination was written through a link or "..".
  for (const auto& e : std::filesystem::directory_iterator(root + "/out")) {
    if (e.path() != dest) __builtin_trap();
  }
  for (const auto& e : std::filesystem::directory_iterator(root)) {
    if (e.path() != tar && e.path() != root + "/out") __builtin_trap();
  }
  return 0;
}
