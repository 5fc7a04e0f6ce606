// Installed packages read from lockfiles and manifests: each parser takes a
// file's text and its path relative to the scanned root, and adds what it
// pins (ecosystem, name, version, where) to an inventory. What cannot be
// matched (unpinned requirements, URLs) is noted, not guessed; a file that
// does not parse is an error naming it and the place, and what the parser
// added before it is not to be used (CollectInventory reads each file into
// an Inventory of its own and drops it on an error).
#ifndef DSO_STAGES_SCAN_DEPS_LOCKFILES_H_
#define DSO_STAGES_SCAN_DEPS_LOCKFILES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dso {

struct Package {
  std::string ecosystem;  // OSV's name: "PyPI", "Go", "npm", "Debian:12"
  std::string name;
  std::string version;
  std::string file;  // relative to the scanned root
  uint32_t line = 0;
};

// How large a lockfile dso reads: one read whole, and one read in pieces
// (lockfile_stream.h). A larger one is not read, and a scan that found it
// cannot pass.
inline constexpr uint64_t kMaxLockfileBytes = 64 << 20;
inline constexpr uint64_t kMaxStreamedLockfileBytes = uint64_t{8} << 30;
// "FILE: SIZE bytes, more than the N MiB dso reads of a lockfile".
inline std::string LockfileTooLarge(absl::string_view file, uint64_t size,
                                    uint64_t cap) {
  return absl::StrCat(file, ": ", size, " bytes, more than the ", cap >> 20,
                      " MiB dso reads of a lockfile");
}

// Far beyond the largest real lockfiles (tens of thousands): a file naming
// more distinct packages is refused, so that memory stays bounded.
inline constexpr size_t kMaxPackagesPerFile = 500000;
// How many notes, and how many warnings, an inventory keeps; the rest are
// counted.
inline constexpr size_t kMaxNotes = 1000;

// A dependency from somewhere other than its ecosystem's registry: git, a
// URL, a local path. Listed (in the notes and the SBOM) with its source,
// never matched by version: advisories index registry releases.
struct SourcedPackage {
  std::string ecosystem, name;
  std::string source;  // as the lockfile says it: "git+https://...#abc"
  std::string file;
  uint32_t line = 0;
};

struct Inventory {
  std::vector<Package> packages;
  std::vector<SourcedPackage> sourced;  // at most kMaxPackagesPerFile
  std::vector<std::string>
      notes;  // "requirements.txt:3: 'flask' is not pinned"
  // Lines or stanzas that could not be read, each "FILE:LINE: why"; the
  // rest of the file is kept.
  std::vector<std::string> warnings;
  size_t notes_dropped = 0, warnings_dropped = 0;  // past kMaxNotes
  void Note(std::string note) {
    if (notes.size() < kMaxNotes) {
      notes.push_back(std::move(note));
    } else {
      ++notes_dropped;
    }
  }
  // Notes "FILE:LINE: 'NAME' comes from SOURCE; not matched" and lists
  // the package with its source.
  void FromSource(const std::string& ecosystem, const std::string& name,
                  const std::string& source, const std::string& file,
                  uint32_t line) {
    Note(absl::StrCat(file, ":", line, ": '", name, "' comes from ", source,
                      "; not matched"));
    if (sourced.size() < kMaxPackagesPerFile) {
      sourced.push_back({ecosystem, name, source, file, line});
    }
  }
  void Warn(std::string warning) {
    if (warnings.size() < kMaxNotes) {
      warnings.push_back(std::move(warning));
    } else {
      ++warnings_dropped;
    }
  }
  // Other files this one takes packages from (requirements files' `-r`)
  // or pins from (`-c`, constraints), as written: relative to this file's
  // directory. CollectInventory follows them within the scanned tree.
  struct Include {
    std::string path;
    uint32_t line = 0;
    bool constraint = false;
  };
  std::vector<Include> includes;
  // Requirements without a pinned version (requirements files), which a
  // constraints file may pin.
  struct Unpinned {
    std::string name;
    uint32_t line = 0;
  };
  std::vector<Unpinned> unpinned;
};

// PyPI
absl::Status ParseRequirementsTxt(absl::string_view text,
                                  const std::string& file, Inventory* out);
absl::Status ParsePipfileLock(absl::string_view text, const std::string& file,
                              Inventory* out);
absl::Status ParsePoetryLock(absl::string_view text, const std::string& file,
                             Inventory* out);
absl::Status ParseUvLock(absl::string_view text, const std::string& file,
                         Inventory* out);
absl::Status ParsePdmLock(absl::string_view text, const std::string& file,
                          Inventory* out);
// pylock.toml and pylock.NAME.toml (PEP 751).
absl::Status ParsePylockToml(absl::string_view text, const std::string& file,
                             Inventory* out);
// crates.io
absl::Status ParseCargoLock(absl::string_view text, const std::string& file,
                            Inventory* out);
// Go
absl::Status ParseGoMod(absl::string_view text, const std::string& file,
                        Inventory* out);
// npm: package-lock.json v1–v3 and npm-shrinkwrap.json
absl::Status ParsePackageLockJson(absl::string_view text,
                                  const std::string& file, Inventory* out);
// npm: yarn.lock (v1 and Berry) and pnpm-lock.yaml (v5–v9)
absl::Status ParseYarnLock(absl::string_view text, const std::string& file,
                           Inventory* out);
absl::Status ParsePnpmLock(absl::string_view text, const std::string& file,
                           Inventory* out);

// RubyGems: Gemfile.lock
absl::Status ParseGemfileLock(absl::string_view text, const std::string& file,
                              Inventory* out);
// Packagist: composer.lock
absl::Status ParseComposerLock(absl::string_view text, const std::string& file,
                               Inventory* out);
// NuGet: packages.lock.json
absl::Status ParseNuGetLock(absl::string_view text, const std::string& file,
                            Inventory* out);
// Maven: pom.xml (declared, properties resolved) and Gradle lock files
absl::Status ParsePomXml(absl::string_view text, const std::string& file,
                         Inventory* out);
// The same with the parents (<parent>, at its relativePath, ../pom.xml by
// default) that lie in the scanned tree: `read` gives a file's text by its
// path relative to the scanned root. Their properties and managed versions
// count, the nearest parent's first and the pom's own over all; a parent
// outside the tree is noted.
using PomFileReader =
    std::function<absl::StatusOr<std::string>(const std::string& rel)>;
absl::Status ParsePomXmlInTree(absl::string_view text, const std::string& file,
                               const PomFileReader& read, Inventory* out);
absl::Status ParseGradleLockfile(absl::string_view text,
                                 const std::string& file, Inventory* out);
// NuGet's packages.config; PackageReference and PackageVersion in MSBuild
// projects (*.csproj, *.fsproj, *.vbproj) and Directory.Packages.props;
// Gradle's gradle/verification-metadata.xml (Maven).
absl::Status ParsePackagesConfig(absl::string_view text,
                                 const std::string& file, Inventory* out);
absl::Status ParseMsBuildPackages(absl::string_view text,
                                  const std::string& file, Inventory* out);
absl::Status ParseGradleVerificationMetadata(absl::string_view text,
                                             const std::string& file,
                                             Inventory* out);
// Swift's Package.resolved (SwiftURL) and R's renv.lock (CRAN,
// Bioconductor).
absl::Status ParsePackageResolved(absl::string_view text,
                                  const std::string& file, Inventory* out);
absl::Status ParseRenvLock(absl::string_view text, const std::string& file,
                           Inventory* out);
// Dart's pubspec.lock (Pub), Elixir's mix.lock (Hex), Haskell's
// cabal.project.freeze (Hackage).
absl::Status ParsePubspecLock(absl::string_view text, const std::string& file,
                              Inventory* out);
absl::Status ParseMixLock(absl::string_view text, const std::string& file,
                          Inventory* out);
absl::Status ParseCabalFreeze(absl::string_view text, const std::string& file,
                              Inventory* out);
// Haskell's stack.yaml.lock (Hackage), Conan's conan.lock (ConanCenter),
// Bun's bun.lock (npm).
absl::Status ParseStackYamlLock(absl::string_view text, const std::string& file,
                                Inventory* out);
absl::Status ParseConanLock(absl::string_view text, const std::string& file,
                            Inventory* out);
absl::Status ParseBunLock(absl::string_view text, const std::string& file,
                          Inventory* out);

// Installed packages (installed_packages.cc): an npm package's own
// package.json, a Python distribution's METADATA or PKG-INFO.
absl::Status ParseInstalledPackageJson(absl::string_view text,
                                       const std::string& file, Inventory* out);
absl::Status ParsePythonMetadata(absl::string_view text,
                                 const std::string& file, Inventory* out);

// OS packages (os_packages.cc). OsEcosystem: the OSV ecosystem of an
// os-release file ("Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.19"), or ""
// for a system dso knows no advisories for.
std::string OsEcosystem(absl::string_view os_release);
absl::Status ParseDpkgStatus(absl::string_view text, const std::string& file,
                             const std::string& ecosystem, Inventory* out);
absl::Status ParseApkInstalled(absl::string_view text, const std::string& file,
                               const std::string& ecosystem, Inventory* out);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_LOCKFILES_H_
