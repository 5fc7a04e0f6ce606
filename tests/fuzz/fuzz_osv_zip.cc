// An OSV export (`<ECOSYSTEM>/all.zip`) as `dsoctl db import` reads it: a
// hostile archive's members, each parsed as a record.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "stages/scan/deps/internal/osv_record.h"
#include "stages/scan/deps/internal/osv_sources.h"
#include "tests/fuzz/fuzz_temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string zip = dso::FuzzTempDir() + "/all.zip";
  std::ofstream(zip, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data),
             static_cast<std::streamsize>(size));
  std::vector<std::string> warnings;
  (void)dso::ForEachOsvFile(
      zip,
      [](dso::OsvFile file) {
        if (file.yaml) {
          (void)dso::ParseOsvYaml(file.text, file.name);
        } else {
          (void)dso::ParseOsvJson(file.text, file.name);
        }
      },
      &warnings);
  return 0;
}
