#include "stages/oci/image_input.h"

#include <filesystem>

#include "stages/core/status_macros.h"

namespace dso {

absl::StatusOr<std::string> ResolveImageInput(StepContext& context,
                                              const dso::v1::Input& input) {
  namespace fs = std::filesystem;
  ASSIGN_OR_RETURN(std::string path, context.ResolveInput(input));
  std::error_code ec;
  if (!fs::is_directory(path, ec) || fs::exists(path + "/oci-layout", ec)) {
    return path;
  }
  std::string only;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    if (!only.empty() || !e.is_regular_file(ec)) return path;
    only = e.path().string();
  }
  return only.empty() ? path : only;
}

}  // namespace dso
