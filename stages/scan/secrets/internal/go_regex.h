// Go regexp syntax, read by the two engines we run it on.
//
// RE2 (C++) shares Go's syntax except named groups written "(?<name>",
// which the 2022 RE2 in Debian 12 only knows as "(?P<name>".
//
// Hyperscan is used only as a prefilter, so its pattern must match at least
// everything Go's does. It counts bytes where Go counts characters: a
// bounded repeat of an atom that can match a multi-byte UTF-8 character
// (".", "[^...]", "\S", "\pL", ...) gets four times the upper bound, and a
// non-ASCII literal is grouped so a quantifier after it repeats the whole
// character.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GO_REGEX_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GO_REGEX_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dso {

std::string GoRegexToRe2(absl::string_view go);
std::string GoRegexToHyperscan(absl::string_view go);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GO_REGEX_H_
