// Outside TOML made safe for toml++ before it is parsed.
//
// toml++ 3.3 (Debian 12's) reaches __builtin_unreachable() -- undefined
// behaviour -- when it asks whether one of these characters is whitespace:
// U+00A1-U+0499 (most of Latin-1, Latin Extended, Greek, Cyrillic),
// U+2C5E-U+2FFF, U+3001-U+3057 and U+FB26-U+FEFE. It asks while it reads
// keys, bare values and, on errors, whatever follows them. Found by fuzzing
// (tests/fuzz). So toml++ is never given those characters: in double-quoted
// strings they become \uXXXX escapes (the same value), in comments '?';
// anywhere else (bare keys, literal strings, outside any string) the file
// is refused, naming the line and the character.
//
// Usage (before every toml::parse of a file someone else wrote):
//   ASSIGN_OR_RETURN(std::string safe, TomlForParser(text, path));
//   toml::parse(safe, path);
#ifndef DSO_STAGES_CORE_TOML_GUARD_H_
#define DSO_STAGES_CORE_TOML_GUARD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// `text` with those characters escaped (same lines, same values), or
// InvalidArgument naming `source`, the line and the character.
absl::StatusOr<std::string> TomlForParser(absl::string_view text,
                                          absl::string_view source);

}  // namespace dso

#endif  // DSO_STAGES_CORE_TOML_GUARD_H_
