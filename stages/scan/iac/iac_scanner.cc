#include "stages/scan/iac/iac_scanner.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "stages/core/bounded_file.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

void ScanFile(const std::string& dir, const std::string& rel,
              IacScanResult& out) {
  auto fd = OpenRegularBeneath(dir, rel);
  if (!fd.ok()) {
    ++out.unreadable;
    out.warnings.push_back(absl::StrCat(rel, ": ", fd.status().message()));
    return;
  }
  auto text = ReadBounded(*fd, rel, kMaxIacFileBytes);
  close(*fd);
  if (!text.ok()) {
    ++out.unreadable;
    out.warnings.push_back(absl::StrCat(rel, ": ", text.status().message()));
    return;
  }
  ++out.files;
  Dockerfile df = ParseDockerfile(*text);
  for (const std::string& w : df.warnings) {
    out.warnings.push_back(absl::StrCat(rel, ":", w));
  }
  for (IacFinding& f : CheckDockerfile(df, "/" + rel)) {
    out.findings.push_back({rel, std::move(f)});
  }
}

}  // namespace

IacScanResult ScanIacTree(const std::string& root) {
  IacScanResult out;
  std::error_code ec;
  if (fs::is_regular_file(root, ec) && !fs::is_symlink(root, ec)) {
    fs::path file(root);
    if (IsDockerfileName(file.filename().string())) {
      ScanFile(file.parent_path().string(), file.filename().string(), out);
    }
    return out;
  }
  fs::recursive_directory_iterator it(root, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (name == ".git" || name == "node_modules") {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!IsDockerfileName(name) || it->is_symlink(ec) ||
        !it->is_regular_file(ec)) {
      continue;
    }
    std::error_code rel_ec;
    ScanFile(root, fs::relative(it->path(), root, rel_ec).string(), out);
  }
  if (ec) {
    ++out.unreadable;
    out.warnings.push_back(
        absl::StrCat(root, ": listing stopped: ", ec.message()));
  }
  return out;
}

}  // namespace dso
