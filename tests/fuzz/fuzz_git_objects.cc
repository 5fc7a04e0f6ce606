// Tree and commit objects as a hostile repository may hold them.
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/internal/git_object_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto entries = dso::ParseGitTree(in);
  if (entries.ok()) {
    for (const dso::GitTreeEntry& e : *entries) {
      // Names point into the input.
      if (e.name.empty() || e.name.data() < in.data() ||
          e.name.data() + e.name.size() > in.data() + in.size()) {
        __builtin_trap();
      }
    }
  }
  (void)dso::ParseGitCommitHeader(in);
  return 0;
}
