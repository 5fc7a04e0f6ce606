// An image as dso reads a base image: an OCI layout whose index.json,
// manifest and config are the input's three parts (split at lines "--";
// MANIFEST_DIGEST and CONFIG_DIGEST in them are replaced by the real
// digests, so that the fuzzer explores the JSON rather than sha256), and
// the whole input as a docker-save archive.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "stages/core/sha256.h"
#include "stages/oci/oci_layout.h"
#include "tests/fuzz/fuzz_temp_dir.h"

namespace {

void Write(const std::string& path, absl::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string root = dso::FuzzTempDir();
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts = absl::StrSplit(in, "\n--\n");
  parts.resize(3);
  std::string config = parts[2];
  std::string config_digest = dso::Sha256Digest(config);
  std::string manifest =
      absl::StrReplaceAll(parts[1], {{"CONFIG_DIGEST", config_digest}});
  std::string manifest_digest = dso::Sha256Digest(manifest);
  std::string index =
      absl::StrReplaceAll(parts[0], {{"MANIFEST_DIGEST", manifest_digest}});

  const std::string layout = root + "/layout", scratch = root + "/scratch";
  std::filesystem::remove_all(layout);
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(layout + "/blobs/sha256");
  std::filesystem::create_directories(scratch);
  Write(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  Write(layout + "/index.json", index);
  for (const std::string* blob : {&manifest, &config}) {
    Write(layout + "/blobs/sha256/" + dso::Sha256Digest(*blob).substr(7),
          *blob);
  }
  (void)dso::ReadBaseImage(layout, scratch);
  (void)dso::ReadBaseImage(layout, scratch, "latest");

  const std::string archive = root + "/image.tar";
  Write(archive, in);
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(scratch);
  (void)dso::ReadBaseImage(archive, scratch);
  return 0;
}
