#include "stages/scan/deps/inventory.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/deps/internal/inventory_files.h"
#include "stages/scan/deps/internal/pip_install.h"
#include "stages/scan/deps/lockfile_stream.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// The OSV ecosystem of the system whose root is `root` (with a trailing
// '/', or empty for the scanned root itself), from its os-release, opened
// beneath the scanned tree (bounded_file.h): a link that leads out of it,
// however it is spelled, is not followed.
std::string EcosystemOfRoot(const fs::path& scan_root,
                            const std::string& root) {
  for (const char* rel : {"etc/os-release", "usr/lib/os-release"}) {
    auto text =
        ReadFileBeneath(scan_root.string(), root + rel, FileKind::kConfig);
    if (text.ok()) return OsEcosystem(*text);
  }
  return "";
}

std::string Relative(const fs::path& p, const std::string& root) {
  return p.lexically_relative(root).generic_string();
}

bool IsOsDatabase(const fs::path& p, const std::string& root) {
  std::string name = p.filename().string();
  if (name != "status" && name != "installed" &&
      p.parent_path().filename() != "status.d") {
    return false;
  }
  return OsDatabaseAt(Relative(p, root)).parser;
}

// A lockfile dso reads in pieces, any size up to kMaxStreamedLockfileBytes.
absl::Status ReadStreamed(const fs::path& root, const std::string& rel,
                          LockfileReaderFactory new_reader, Inventory* out) {
  absl::StatusOr<int> fd = OpenRegularBeneath(root.string(), rel);
  if (!fd.ok()) return fd.status();
  absl::Status s = ReadDescriptor(*new_reader(rel, out), *fd, rel,
                                  kMaxStreamedLockfileBytes);
  close(*fd);
  return s;
}

// Reads the lockfiles and package databases in `found` (beneath `root`)
// into `out`: each whole, or named in out.unread; and the requirements
// files they include.
InventoryResult ReadFound(std::vector<fs::path> found, const fs::path& root,
                          bool installed, InventoryResult out) {
  std::error_code ec;
  std::sort(found.begin(), found.end());
  const std::set<std::string> included = IncludedRequirements(found, root);
  std::stable_partition(found.begin(), found.end(), [&](const fs::path& p) {
    return !included.count(Relative(p, root.string()));
  });
  std::set<std::string> read;  // relative paths, each read once
  for (const fs::path& p : found) {
    std::string rel = fs::relative(p, root, ec).generic_string();
    if (ec) rel = p.string();
    if (!read.insert(rel).second) continue;  // included by one read before
    if (LockfileReaderFactory reader =
            StreamingReaderFor(p.filename().string())) {
      Inventory one;
      if (absl::Status s = ReadStreamed(root, rel, reader, &one); !s.ok()) {
        out.unread.push_back(std::string(s.message()));
      } else {
        AddFileInventory(std::move(one), rel, out);
      }
      continue;
    }
    uintmax_t size = fs::file_size(p, ec);
    if (!ec && size > kMaxLockfileBytes) {
      out.unread.push_back(LockfileTooLarge(rel, size, kMaxLockfileBytes));
      continue;
    }
    // The cap again: the file may have grown since the size was read.
    auto text = ReadFileUpTo(p.string(), kMaxLockfileBytes);
    if (!text.ok()) {
      out.unread.push_back(absl::StrCat(rel, ": ", text.status().message()));
      continue;
    }
    // A file that fails to parse adds nothing, not half of itself.
    Inventory one;
    absl::Status s;
    LockfileParser parse = ParserFor(p.filename().string());
    if (!parse && installed) parse = InstalledParserFor(rel);
    if (parse == ParsePomXml) {
      s = ParsePomXmlInTree(
          *text, rel,
          [&root](const std::string& parent) {
            return ReadLockfileBeneath(root, parent);
          },
          &one);
    } else if (parse) {
      s = parse(*text, rel, &one);
    } else {
      OsDatabase db = OsDatabaseAt(rel);
      std::string ecosystem =
          db.parser ? EcosystemOfRoot(root, db.root) : std::string();
      if (ecosystem.empty()) {
        out.warnings.push_back(absl::StrCat(
            rel,
            ": no os-release of a system with OSV advisories (Debian, "
            "Ubuntu, Alpine, Wolfi) beside it; not read"));
        continue;
      }
      s = db.parser(*text, rel, ecosystem, &one);
    }
    if (!s.ok()) {
      out.unread.push_back(std::string(s.message()));
      continue;
    }
    std::vector<Inventory::Include> includes = std::move(one.includes);
    std::vector<Inventory::Unpinned> unpinned = std::move(one.unpinned);
    AddFileInventory(std::move(one), rel, out);
    if (!includes.empty()) {
      ReadPipInstall(root, rel, includes, unpinned, read, out);
    }
  }
  return out;
}

}  // namespace

LockfileParser ParserFor(const std::string& name) {
  if (name == "requirements.txt" || (absl::StartsWith(name, "requirements") &&
                                     absl::EndsWith(name, ".txt"))) {
    return ParseRequirementsTxt;
  }
  if (name == "Pipfile.lock") return ParsePipfileLock;
  if (name == "poetry.lock") return ParsePoetryLock;
  if (name == "uv.lock") return ParseUvLock;
  if (name == "pdm.lock") return ParsePdmLock;
  if (name == "pylock.toml" ||
      (absl::StartsWith(name, "pylock.") && absl::EndsWith(name, ".toml"))) {
    return ParsePylockToml;
  }
  if (name == "Cargo.lock") return ParseCargoLock;
  if (name == "go.mod") return ParseGoMod;
  if (name == "package-lock.json" || name == "npm-shrinkwrap.json") {
    return ParsePackageLockJson;
  }
  if (name == "yarn.lock") return ParseYarnLock;
  if (name == "pnpm-lock.yaml") return ParsePnpmLock;
  if (name == "Gemfile.lock") return ParseGemfileLock;
  if (name == "composer.lock") return ParseComposerLock;
  if (name == "packages.lock.json") return ParseNuGetLock;
  if (name == "pom.xml") return ParsePomXml;
  if (name == "gradle.lockfile" || absl::EndsWith(name, "-gradle.lockfile")) {
    return ParseGradleLockfile;
  }
  if (name == "packages.config") return ParsePackagesConfig;
  if (name == "Directory.Packages.props" || absl::EndsWith(name, ".csproj") ||
      absl::EndsWith(name, ".fsproj") || absl::EndsWith(name, ".vbproj")) {
    return ParseMsBuildPackages;
  }
  if (name == "verification-metadata.xml") {
    return ParseGradleVerificationMetadata;
  }
  if (name == "Package.resolved") return ParsePackageResolved;
  if (name == "renv.lock") return ParseRenvLock;
  if (name == "pubspec.lock") return ParsePubspecLock;
  if (name == "mix.lock") return ParseMixLock;
  if (name == "cabal.project.freeze") return ParseCabalFreeze;
  if (name == "stack.yaml.lock") return ParseStackYamlLock;
  if (name == "conan.lock") return ParseConanLock;
  if (name == "bun.lock") return ParseBunLock;
  return nullptr;
}

OsDatabase OsDatabaseAt(const std::string& path) {
  for (const auto& [suffix, parser] :
       {std::pair<const char*, OsPackageParser>{"var/lib/dpkg/status",
                                                ParseDpkgStatus},
        {"lib/apk/db/installed", ParseApkInstalled}}) {
    if (path == suffix || absl::EndsWith(path, absl::StrCat("/", suffix))) {
      return {parser, path.substr(0, path.size() - strlen(suffix))};
    }
  }
  // Distroless images: one dpkg paragraph per file in status.d.
  constexpr std::string_view kStatusD = "var/lib/dpkg/status.d/";
  size_t at = path.rfind(kStatusD);
  if (at != std::string::npos && (at == 0 || path[at - 1] == '/') &&
      path.find('/', at + kStatusD.size()) == std::string::npos &&
      !absl::EndsWith(path, ".md5sums")) {
    return {ParseDpkgStatus, path.substr(0, at)};
  }
  return {};
}

absl::StatusOr<InventoryResult> CollectInventory(const std::string& root,
                                                 bool installed) {
  std::error_code ec;
  InventoryResult out;
  std::vector<fs::path> found;
  if (fs::is_regular_file(root, ec) && !fs::is_symlink(root, ec)) {
    // One file (scan --path FILE): read in place, as its directory would be
    // if it held nothing else.
    fs::path file(root);
    if (ParserFor(file.filename().string())) found.push_back(file);
    return ReadFound(found, file.parent_path(), installed, std::move(out));
  }
  if (!fs::is_directory(root, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", root, "' is not a directory or a file"));
  }
  fs::recursive_directory_iterator it(root, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (name == ".git" || (name == "node_modules" && !installed)) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    if (ParserFor(name) || IsOsDatabase(it->path(), root) ||
        (installed && InstalledParserFor(Relative(it->path(), root)))) {
      found.push_back(it->path());
    }
  }
  if (ec) {
    // What lies past that point is unknown, lockfiles included.
    out.unread.push_back(absl::StrCat(root, ": listing stopped at '",
                                      it == end ? root : it->path().string(),
                                      "': ", ec.message()));
  }
  return ReadFound(found, root, installed, std::move(out));
}

}  // namespace dso
