#include "stages/core/temp_dir.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace dso {

std::string MakeTempDir(absl::string_view prefix) {
  std::error_code ec;
  std::string tmpl =
      absl::StrCat(std::filesystem::temp_directory_path(ec).string(), "/",
                   prefix, "-XXXXXX");
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

}  // namespace dso
