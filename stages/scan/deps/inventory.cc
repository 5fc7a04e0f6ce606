#include "stages/scan/deps/inventory.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/atomic_file.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// A lockfile larger than this is not read (a warning says so).
constexpr uintmax_t kMaxLockfileBytes = 64 << 20;

}  // namespace

LockfileParser ParserFor(const std::string& name) {
  if (name == "requirements.txt" || (absl::StartsWith(name, "requirements") &&
                                     absl::EndsWith(name, ".txt"))) {
    return ParseRequirementsTxt;
  }
  if (name == "Pipfile.lock") return ParsePipfileLock;
  if (name == "poetry.lock") return ParsePoetryLock;
  if (name == "uv.lock") return ParseUvLock;
  if (name == "Cargo.lock") return ParseCargoLock;
  if (name == "go.mod") return ParseGoMod;
  if (name == "package-lock.json" || name == "npm-shrinkwrap.json") {
    return ParsePackageLockJson;
  }
  if (name == "yarn.lock") return ParseYarnLock;
  if (name == "pnpm-lock.yaml") return ParsePnpmLock;
  return nullptr;
}

absl::StatusOr<InventoryResult> CollectInventory(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", root, "' is not a directory"));
  }
  InventoryResult out;
  std::vector<fs::path> found;
  fs::recursive_directory_iterator it(root, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (name == ".git" || name == "node_modules")
        it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && !it->is_symlink(ec) && ParserFor(name)) {
      found.push_back(it->path());
    }
  }
  if (ec) {
    out.warnings.push_back(
        absl::StrCat("listing '", root, "' stopped: ", ec.message()));
  }
  std::sort(found.begin(), found.end());
  for (const fs::path& p : found) {
    std::string rel = fs::relative(p, root, ec).generic_string();
    if (ec) rel = p.string();
    uintmax_t size = fs::file_size(p, ec);
    if (!ec && size > kMaxLockfileBytes) {
      out.warnings.push_back(
          absl::StrCat(rel, ": ", size, " bytes; too large, not read"));
      continue;
    }
    auto text = ReadFile(p.string());
    if (!text.ok()) {
      out.warnings.push_back(absl::StrCat(rel, ": ", text.status().message()));
      continue;
    }
    // A file that fails to parse adds nothing, not half of itself.
    Inventory one;
    absl::Status s = ParserFor(p.filename().string())(*text, rel, &one);
    if (!s.ok()) {
      out.warnings.push_back(std::string(s.message()));
      continue;
    }
    for (auto& pkg : one.packages) {
      out.inventory.packages.push_back(std::move(pkg));
    }
    for (auto& n : one.notes) out.inventory.notes.push_back(std::move(n));
    out.files.push_back(rel);
  }
  return out;
}

}  // namespace dso
