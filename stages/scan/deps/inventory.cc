#include "stages/scan/deps/inventory.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/deps/lockfile_stream.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// A lockfile larger than this is not read, and the scan cannot pass; those
// read in pieces (lockfile_stream.h) may be up to kMaxStreamedBytes.
constexpr uintmax_t kMaxLockfileBytes = 64 << 20;
constexpr uint64_t kMaxStreamedBytes = uint64_t{8} << 30;

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

// `rel` beneath `root`, at most kMaxLockfileBytes read.
absl::StatusOr<std::string> ReadLockfileBeneath(const fs::path& root,
                                                const std::string& rel) {
  absl::StatusOr<int> fd = OpenRegularBeneath(root.string(), rel);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<std::string> text = ReadBounded(*fd, rel, kMaxLockfileBytes);
  close(*fd);
  return text;
}

// A lockfile dso reads in pieces, any size up to kMaxStreamedBytes.
absl::Status ReadStreamed(const fs::path& root, const std::string& rel,
                          LockfileReaderFactory new_reader, Inventory* out) {
  absl::StatusOr<int> fd = OpenRegularBeneath(root.string(), rel);
  if (!fd.ok()) return fd.status();
  absl::Status s =
      ReadDescriptor(*new_reader(rel, out), *fd, rel, kMaxStreamedBytes);
  close(*fd);
  return s;
}

// How deep `-r` includes are followed: far past any real project.
constexpr int kMaxIncludeDepth = 16;

// Adds a file's packages, notes and warnings to `out`.
void Add(Inventory one, const std::string& rel, InventoryResult& out) {
  for (auto& pkg : one.packages) {
    out.inventory.packages.push_back(std::move(pkg));
  }
  for (auto& n : one.notes) out.inventory.notes.push_back(std::move(n));
  for (auto& w : one.warnings) out.warnings.push_back(std::move(w));
  if (one.notes_dropped > 0) {
    out.inventory.notes.push_back(
        absl::StrCat(rel, ": ", one.notes_dropped, " more notes not shown"));
  }
  if (one.warnings_dropped > 0) {
    out.warnings.push_back(absl::StrCat(rel, ": ", one.warnings_dropped,
                                        " more warnings not shown"));
  }
  out.files.push_back(rel);
}

// What the requirements files one pip install reads (a file and those it
// names, however deep) hold for constraints: the requirements without a
// pinned version, and the pins of the constraints files (`-c`), by name
// as PEP 503 normalizes it. pip applies every constraint to every
// requirement of the install.
struct PipInstall {
  struct Unpinned {
    std::string file, name;
    uint32_t line;
  };
  std::vector<Unpinned> unpinned;
  absl::flat_hash_map<std::string, Package> pins;
};

// PEP 503: lower case, each run of '-', '_' and '.' one '-'.
std::string NormalizedPyPIName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (out.empty() || out.back() != '-') out.push_back('-');
    } else {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// Reads the files `includes` of `from` (relative to `root`) names with
// `-r` (requirements: their packages count) and `-c` (constraints: their
// pins go to `install`), and theirs, each once (`read`: a cycle ends
// there); a file a constraints file names holds constraints too. Within
// the scanned tree only: one outside it is a warning; one missing or
// unreadable hides its packages (unread).
void FollowIncludes(const fs::path& root, const std::string& from,
                    const std::vector<Inventory::Include>& includes,
                    bool constraints, int depth, std::set<std::string>& read,
                    PipInstall& install, InventoryResult& out) {
  for (const Inventory::Include& inc : includes) {
    const bool constraint = constraints || inc.constraint;
    std::string where = absl::StrCat(from, ":", inc.line,
                                     constraint ? ": -c " : ": -r ", inc.path);
    fs::path target =
        (fs::path(from).parent_path() / inc.path).lexically_normal();
    std::string rel = target.generic_string();
    if (target.is_absolute() || rel == ".." || absl::StartsWith(rel, "../")) {
      out.warnings.push_back(
          absl::StrCat(where, ": outside the scanned tree; not followed"));
      continue;
    }
    if (!read.insert(rel).second) continue;  // read already, or a cycle
    if (depth >= kMaxIncludeDepth) {
      out.unread.push_back(absl::StrCat(where, ": includes nested deeper than ",
                                        kMaxIncludeDepth));
      continue;
    }
    absl::StatusOr<std::string> text = ReadLockfileBeneath(root, rel);
    if (!text.ok()) {
      out.unread.push_back(absl::StrCat(where, ": ", text.status().message()));
      continue;
    }
    Inventory one;
    if (absl::Status s = ParseRequirementsTxt(*text, rel, &one); !s.ok()) {
      out.unread.push_back(std::string(s.message()));
      continue;
    }
    std::vector<Inventory::Include> next = std::move(one.includes);
    if (constraint) {  // pins for what is required, installing nothing
      for (Package& p : one.packages) {
        install.pins.try_emplace(NormalizedPyPIName(p.name), std::move(p));
      }
      for (auto& w : one.warnings) out.warnings.push_back(std::move(w));
      out.files.push_back(rel);
    } else {
      for (const auto& u : one.unpinned) {
        install.unpinned.push_back({rel, u.name, u.line});
      }
      Add(std::move(one), rel, out);
    }
    FollowIncludes(root, rel, next, constraint, depth + 1, read, install, out);
  }
}

// Reads what the requirements file `rel` includes, and adds the packages
// its constraints pin.
void ReadPipInstall(const fs::path& root, const std::string& rel,
                    const std::vector<Inventory::Include>& includes,
                    const std::vector<Inventory::Unpinned>& unpinned,
                    std::set<std::string>& read, InventoryResult& out) {
  PipInstall install;
  for (const auto& u : unpinned)
    install.unpinned.push_back({rel, u.name, u.line});
  FollowIncludes(root, rel, includes, false, 1, read, install, out);
  for (const PipInstall::Unpinned& u : install.unpinned) {
    auto pin = install.pins.find(NormalizedPyPIName(u.name));
    if (pin == install.pins.end()) continue;
    const Package& p = pin->second;
    out.inventory.notes.push_back(absl::StrCat(
        u.file, ":", u.line, ": '", u.name, "' is pinned to ", p.version,
        " by ", p.file, ":", p.line, "; matched at that version"));
    out.inventory.packages.push_back(
        {"PyPI", u.name, p.version, p.file, p.line});
  }
}

// The requirements files that other requirements files in `found` include
// (`-r`, `-c`), relative to `root`: read as part of those, so that one
// install's constraints reach all of it.
std::set<std::string> IncludedRequirements(const std::vector<fs::path>& found,
                                           const fs::path& root) {
  std::set<std::string> included;
  for (const fs::path& p : found) {
    if (ParserFor(p.filename().string()) != ParseRequirementsTxt) continue;
    std::string rel = Relative(p, root.string());
    absl::StatusOr<std::string> text = ReadLockfileBeneath(root, rel);
    Inventory one;
    if (!text.ok() || !ParseRequirementsTxt(*text, rel, &one).ok()) continue;
    for (const Inventory::Include& inc : one.includes) {
      included.insert((fs::path(rel).parent_path() / inc.path)
                          .lexically_normal()
                          .generic_string());
    }
  }
  return included;
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
        Add(std::move(one), rel, out);
      }
      continue;
    }
    uintmax_t size = fs::file_size(p, ec);
    if (!ec && size > kMaxLockfileBytes) {
      out.unread.push_back(absl::StrCat(
          rel, ": ", size, " bytes, more than the ", kMaxLockfileBytes >> 20,
          " MiB dso reads of a lockfile"));
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
    Add(std::move(one), rel, out);
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
