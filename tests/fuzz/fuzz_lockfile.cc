// One lockfile parser on a hostile file: DSO_LOCKFILE (set per target by
// tests/fuzz/CMakeLists.txt) picks it from the list below, in the order of
// that file's kLockfiles.
#include <cstddef>
#include <cstdint>

#include "stages/scan/deps/lockfiles.h"

namespace {

absl::Status Parse(absl::string_view text, dso::Inventory* out) {
  switch (DSO_LOCKFILE) {
    case 0:
      return dso::ParseRequirementsTxt(text, "requirements.txt", out);
    case 1:
      return dso::ParsePipfileLock(text, "Pipfile.lock", out);
    case 2:
      return dso::ParsePoetryLock(text, "poetry.lock", out);
    case 3:
      return dso::ParseUvLock(text, "uv.lock", out);
    case 4:
      return dso::ParseCargoLock(text, "Cargo.lock", out);
    case 5:
      return dso::ParseGoMod(text, "go.mod", out);
    case 6:
      return dso::ParsePackageLockJson(text, "package-lock.json", out);
    case 7:
      return dso::ParseYarnLock(text, "yarn.lock", out);
    case 8:
      return dso::ParsePnpmLock(text, "pnpm-lock.yaml", out);
    case 9:
      return dso::ParseGemfileLock(text, "Gemfile.lock", out);
    case 10:
      return dso::ParseComposerLock(text, "composer.lock", out);
    case 11:
      return dso::ParseNuGetLock(text, "packages.lock.json", out);
    case 12:
      return dso::ParsePomXml(text, "pom.xml", out);
    case 13:
      return dso::ParseGradleLockfile(text, "gradle.lockfile", out);
    case 14:
      return dso::ParseInstalledPackageJson(text, "package.json", out);
    case 15:
      return dso::ParsePythonMetadata(text, "METADATA", out);
    case 16:
      return dso::ParseDpkgStatus(text, "status", "Debian:12", out);
    case 17:
      return dso::ParseApkInstalled(text, "installed", "Alpine:v3.19", out);
    case 18:
      return dso::ParsePdmLock(text, "pdm.lock", out);
    case 19:
      return dso::ParsePylockToml(text, "pylock.toml", out);
  }
  return absl::OkStatus();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  dso::Inventory out;
  (void)Parse(text, &out);
  (void)dso::OsEcosystem(text);
  return 0;
}
