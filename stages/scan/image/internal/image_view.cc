#include "stages/scan/image/internal/image_view.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dso {
namespace {

constexpr absl::string_view kWhiteout = ".wh.";
constexpr absl::string_view kOpaque = ".wh..wh..opq";

std::pair<std::string, std::string> SplitDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

bool IsWhiteout(const std::string& path) {
  return absl::StartsWith(SplitDir(path).second, kWhiteout);
}

void ImageFileView::EraseTree(const std::string& path, bool keep_root) {
  if (!keep_root) whited_out_ += nodes_.erase(path);
  std::string prefix = path.empty() ? "" : absl::StrCat(path, "/");
  for (auto it = nodes_.lower_bound(prefix);
       it != nodes_.end() && absl::StartsWith(it->first, prefix);) {
    it = nodes_.erase(it);
    ++whited_out_;
  }
}

void ImageFileView::ApplyLayer(size_t layer,
                               const std::vector<LayerEntryInfo>& entries) {
  // Whiteouts act on the layers below only, so they go first.
  for (const auto& e : entries) {
    auto [dir, name] = SplitDir(e.path);
    if (name == kOpaque) {
      EraseTree(dir, /*keep_root=*/true);
    } else if (absl::StartsWith(name, kWhiteout)) {
      std::string target(name.substr(kWhiteout.size()));
      EraseTree(dir.empty() ? target : absl::StrCat(dir, "/", target),
                /*keep_root=*/false);
    }
  }
  for (const auto& e : entries) {
    if (IsWhiteout(e.path)) continue;
    auto it = nodes_.find(e.path);
    if (it != nodes_.end() && it->second.layer != layer &&
        it->second.info.type == LayerEntryInfo::Type::kDirectory &&
        e.type != LayerEntryInfo::Type::kDirectory) {
      EraseTree(e.path, /*keep_root=*/true);  // a file hides the directory
    }
    nodes_[e.path] = Node{e, layer};
  }
}

const ImageFileView::Node* ImageFileView::Find(const std::string& path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

}  // namespace dso
