// A check to run on outside TOML before toml++ parses it.
//
// toml++ 3.3 (Debian 12's) reaches __builtin_unreachable() -- undefined
// behaviour -- when it classifies some non-ASCII characters while it
// records a key or a bare value: U+00A1-U+0499 (most of Latin-1, Latin
// Extended, Greek, Cyrillic), U+2C5E-U+2FFF, U+3001-U+3057 and
// U+FB26-U+FEFE, in a bare or quoted key, a table header, or outside any
// string (right after `true`, say). Found by fuzzing (tests/fuzz). This
// check refuses exactly those places, naming the line; the same characters
// in string values and comments are fine, and everything else is left to
// toml++ to judge.
//
// Usage (before every toml::parse of a file someone else wrote):
//   RETURN_IF_ERROR(CheckTomlParserHazards(text, path));
#ifndef DSO_STAGES_CORE_TOML_GUARD_H_
#define DSO_STAGES_CORE_TOML_GUARD_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace dso {

// InvalidArgument naming `source`, the line and the character when `text`
// has one of those characters where toml++ mishandles it.
absl::Status CheckTomlParserHazards(absl::string_view text,
                                    absl::string_view source);

}  // namespace dso

#endif  // DSO_STAGES_CORE_TOML_GUARD_H_
