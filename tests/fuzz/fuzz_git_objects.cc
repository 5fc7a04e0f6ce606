// Tree, commit and tag objects and shallow files as a hostile repository
// may hold them.
#include <cstddef>
#include <cstdint>

#include "stages/scan/secrets/internal/git_history.h"
#include "stages/scan/secrets/internal/git_object_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  // Entries one at a time: names within the input, each entry after the
  // last, the reader never past the end.
  dso::GitTreeReader reader(in);
  size_t at = 0;
  for (dso::GitTreeEntry e;;) {
    auto more = reader.Next(&e);
    if (!more.ok() || !*more) break;
    if (e.name.empty() || e.name.data() < in.data() + at ||
        e.name.data() + e.name.size() > in.data() + in.size() ||
        reader.offset() <= at || reader.offset() > in.size()) {
      __builtin_trap();
    }
    at = reader.offset();
  }
  auto header = dso::ParseGitCommitHeader(in);
  if (header.ok() && header->commit_time < 0) __builtin_trap();
  (void)dso::ParseGitTagTarget(in);
  (void)dso::ParseShallowFile(in);
  return 0;
}
