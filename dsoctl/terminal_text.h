// Text from a run (file names from a scanned tree or a tar, messages, rule
// titles) made safe to print on a terminal or into a CI log: control
// characters, which could move the cursor, recolour the screen or start a
// line that forges dsoctl's own ("\n[dso] run ...: SUCCEEDED"), are shown
// escaped instead. A command's own stdout and stderr are not touched.
#ifndef DSO_DSOCTL_TERMINAL_TEXT_H_
#define DSO_DSOCTL_TERMINAL_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dso {

// C0 controls (but tab), DEL and the C1 controls (U+0080..U+009F) as
// \n, \r, \e or \xNN; with `keep_final_newline`, one newline at the very
// end stays a newline.
std::string TerminalSafe(absl::string_view text,
                         bool keep_final_newline = false);

}  // namespace dso

#endif  // DSO_DSOCTL_TERMINAL_TEXT_H_
