// What the line-based readers of YAML-like lockfiles (yarn.lock, pnpm-lock,
// pubspec.lock, stack.yaml.lock, mix.lock, cabal files) share.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_YAML_LINES_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_YAML_LINES_H_

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace dso {

// `s` without surrounding white space and one pair of matching quotes.
inline absl::string_view Unquote(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') &&
      s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

// How many white-space characters a line starts with.
inline size_t Indent(absl::string_view line) {
  return line.size() - absl::StripLeadingAsciiWhitespace(line).size();
}

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_YAML_LINES_H_
