#include "stages/scan/deps/internal/pip_install.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/inventory_files.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// How deep `-r` includes are followed: far past any real project.
constexpr int kMaxIncludeDepth = 16;

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
      AddFileInventory(std::move(one), rel, out);
    }
    FollowIncludes(root, rel, next, constraint, depth + 1, read, install, out);
  }
}

}  // namespace

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

std::set<std::string> IncludedRequirements(const std::vector<fs::path>& found,
                                           const fs::path& root) {
  std::set<std::string> included;
  for (const fs::path& p : found) {
    if (ParserFor(p.filename().string()) != ParseRequirementsTxt) continue;
    std::string rel = p.lexically_relative(root).generic_string();
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

}  // namespace dso
