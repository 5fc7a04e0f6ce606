// The lines one version of a file added to the previous one, as `git diff`
// shows them with `+`: a line diff (Myers' shortest edit script) of the
// differing middle, after the common leading and trailing lines are set
// aside. Lines end with their '\n', so a last line that gains one counts as
// changed, as in git.
//
// The history scan's own diff: it reads no attributes (libgit2's blob diff
// looks up .gitattributes in the checkout for every file, ten system calls a
// file, and a `-diff` attribute committed by anyone would hide a file's
// changes from the scan) and copies nothing: the runs point into `new_text`.
//
// A middle whose shortest edit needs more than kMaxEdits changed lines is
// matched line by line as a multiset instead (a line counts as added when
// the old middle holds fewer copies of it), so that the cost stays
// proportional to the size of the texts; moved lines are then not re-added.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_ADDED_LINES_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_ADDED_LINES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace dso {

// Consecutive added lines of the new text.
struct AddedRun {
  uint32_t first_line = 0;  // 1-based line number in the new text
  size_t begin = 0;         // byte offsets of the run in the new text
  size_t end = 0;
};

inline constexpr size_t kMaxEdits = 2048;

// The length of the longest common prefix of a and b (compared a block
// at a time; also used to skip the equal start of two trees).
size_t CommonPrefixBytes(absl::string_view a, absl::string_view b);
// The length of the longest common suffix, at most `limit` bytes.
size_t CommonSuffixBytes(absl::string_view a, absl::string_view b,
                         size_t limit);

// Runs in order, none adjacent to another.
std::vector<AddedRun> AddedLines(absl::string_view old_text,
                                 absl::string_view new_text);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_ADDED_LINES_H_
