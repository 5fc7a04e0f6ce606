// LazyPrefix: a faster way to search a regex that starts with a lazy,
// bounded run of one character class, `C{0,n}?REST` (after leading flags,
// as in gitleaks' `generic-api-key`: `(?i)[\w.-]{0,50}?(?:access|...`).
//
// Searched as written, RE2's DFA carries up to n+1 overlapping starts
// through every word of the text, and building those states is most of the
// cost of confirming such a rule. The same match is found by searching
// REST alone and putting the run back: if REST first matches at p, the
// full regex's leftmost match starts at p minus the run of C characters
// just before p (at most n, never before the search start), and its groups
// are REST's (the prefix has none, and being lazy it takes exactly that
// run). Only patterns of that shape split; anything else (a top-level `|`,
// a greedy or unbounded run) is searched as written.
//
// When REST itself starts with a non-capturing group that cannot match the
// empty string (generic-api-key's keyword alternation), REST's matches
// start only where that group matches: the group is searched for, and REST
// tried anchored at each place it starts, leftmost first. An anchored
// search's DFA carries no threads for matches starting later, so RE2
// builds far fewer states than for the unanchored search of REST (that
// building, not the bytes, was most of the rule's cost in a fresh process).
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_LAZY_PREFIX_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_LAZY_PREFIX_H_

#include <array>
#include <memory>
#include <optional>

#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace dso {

struct LazyPrefix {
  std::shared_ptr<const RE2> rest;   // flags + REST: same groups as the whole
  std::shared_ptr<const RE2> head;   // flags + REST's leading group, or null
  std::shared_ptr<const RE2> klass;  // flags + C, for non-ASCII characters
  std::array<bool, 128> ascii{};     // C on each ASCII byte
  size_t max = 0;                    // n

  // REST's leftmost match starting in text[from, to] and ending by `to`
  // (the whole text is context for ^, $ and \b), its groups into
  // groups[0, n).
  bool FindRest(re2::StringPiece text, size_t from, size_t to,
                re2::StringPiece* groups, int n) const;
  // Where the whole regex's match starts when REST's starts at `p` and the
  // search began at `from`.
  size_t ExtendStart(absl::string_view text, size_t from, size_t p) const;
};

// Splits `regex` (an RE2 pattern compiled with `options`) when it has the
// shape above.
std::optional<LazyPrefix> SplitLazyPrefix(const RE2& regex);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_LAZY_PREFIX_H_
