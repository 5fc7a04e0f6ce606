// The lockfile parsers of the smaller ecosystems on a hostile file, in one
// target to keep the fuzz build small: the input's first byte picks the
// parser, the rest is the file.
#include <cstddef>
#include <cstdint>

#include "stages/scan/deps/lockfiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  absl::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  dso::Inventory out;
  switch (data[0] % 11) {
    case 0:
      (void)dso::ParsePackagesConfig(text, "packages.config", &out);
      break;
    case 1:
      (void)dso::ParsePackageResolved(text, "Package.resolved", &out);
      break;
    case 2:
      (void)dso::ParseRenvLock(text, "renv.lock", &out);
      break;
    case 3:
      (void)dso::ParsePubspecLock(text, "pubspec.lock", &out);
      break;
    case 4:
      (void)dso::ParseMixLock(text, "mix.lock", &out);
      break;
    case 5:
      (void)dso::ParseCabalFreeze(text, "cabal.project.freeze", &out);
      break;
    case 6:
      (void)dso::ParseMsBuildPackages(text, "app.csproj", &out);
      break;
    case 7:
      (void)dso::ParseGradleVerificationMetadata(
          text, "verification-metadata.xml", &out);
      break;
    case 8:
      (void)dso::ParseStackYamlLock(text, "stack.yaml.lock", &out);
      break;
    case 9:
      (void)dso::ParseConanLock(text, "conan.lock", &out);
      break;
    case 10:
      (void)dso::ParseBunLock(text, "bun.lock", &out);
      break;
  }
  return 0;
}
