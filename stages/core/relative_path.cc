#include "stages/core/relative_path.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace dso {

bool IsSafeRelativePath(absl::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  if (path.find('\0') != absl::string_view::npos) return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") return false;
  }
  return true;
}

bool IsUnder(absl::string_view path, absl::string_view root) {
  if (root == "/") return !path.empty() && path.front() == '/';
  if (path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

absl::StatusOr<std::string> ResolvePath(absl::string_view what,
                                        const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " '", path, "' must be an absolute path"));
  }
  // The longest prefix that exists, resolved; the rest as written.
  fs::path existing = fs::path(path).lexically_normal();
  std::vector<std::string> rest;
  std::error_code ec;
  while (!fs::exists(fs::symlink_status(existing, ec)) &&
         existing.has_relative_path()) {
    rest.push_back(existing.filename().string());
    existing = existing.parent_path();
  }
  for (const std::string& part : rest) {
    if (part == "." || part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " '", path, "' has a '", part, "' after its existing part"));
    }
  }
  fs::path real = fs::canonical(existing, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " '", path, "' cannot be resolved: ", ec.message()));
  }
  for (auto it = rest.rbegin(); it != rest.rend(); ++it) {
    if (!it->empty()) real /= *it;
  }
  return real.string();
}

absl::StatusOr<std::string> ResolveBeneathRoots(
    absl::string_view what, const std::string& path,
    const std::vector<std::string>& roots, absl::string_view roots_name) {
  absl::StatusOr<std::string> real = ResolvePath(what, path);
  if (!real.ok()) return real.status();
  for (const std::string& root : roots) {
    if (IsUnder(*real, root)) return real;
  }
  return absl::PermissionDeniedError(absl::StrCat(
      what, " '", path, "' is outside the agent's ", roots_name, " (",
      roots.empty() ? "none configured" : absl::StrJoin(roots, ", "), ")"));
}

}  // namespace dso
