// Tree, commit and tag objects and shallow files as a hostile repository
// may hold them.
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/internal/git_history.h"
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
  // The entry-at-a-time reader agrees with the whole parse.
  dso::GitTreeReader reader(in);
  size_t n = 0;
  for (dso::GitTreeEntry e;;) {
    auto more = reader.Next(&e);
    if (!more.ok() || !*more) {
      if (more.ok() != entries.ok() || (entries.ok() && n != entries->size())) {
        __builtin_trap();
      }
      break;
    }
    ++n;
  }
  auto header = dso::ParseGitCommitHeader(in);
  if (header.ok() && header->commit_time < 0) __builtin_trap();
  (void)dso::ParseGitTagTarget(in);
  (void)dso::ParseShallowFile(in);
  return 0;
}
