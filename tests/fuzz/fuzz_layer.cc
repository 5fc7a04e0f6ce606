// An image layer (tar, gzip or zstd) as a registry or an image file may
// hold it: every entry is visited and read to its end; paths come out
// relative and normalised, whatever the archive says.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "stages/oci/layer_reader.h"
#include "tests/fuzz/fuzz_temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = dso::FuzzTempDir() + "/layer";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data),
             static_cast<std::streamsize>(size));
  dso::LayerLimits limits;
  limits.max_bytes = 8 << 20;
  limits.max_entries = 1000;
  std::vector<dso::LayerProblem> problems;
  char buf[4096];
  (void)dso::ReadLayer(
      path, "fuzzed", limits,
      [&](const dso::LayerEntryInfo& e, const dso::LayerDataFn& read) {
        if (e.path.empty() || e.path[0] == '/' ||
            absl::StartsWith(e.path, "./") || absl::EndsWith(e.path, "/")) {
          __builtin_trap();
        }
        std::string error;
        while (read(buf, sizeof buf, &error) > 0) {
        }
        return absl::OkStatus();
      },
      &problems);
  return 0;
}
