// Which rules the matcher runs only where one of their keywords is: rules
// whose regex has a branch without a literal of 3 or more characters (no
// required atom for RE2's FilteredRE2), which Hyperscan would otherwise
// run its automata over every byte for, and whose keywords are all that
// long too (a short one such as "s." is on nearly every line: such a rule
// stays). gitleaks applies every rule only where a keyword is, so gating
// changes no finding, only the work.
//
// Working it out costs a third of a small scan's start (FilteredRE2 parses
// and analyses every regex), so the answer is kept on disk beside the
// compiled Hyperscan patterns (hyperscan_cache.h), keyed by the SHA-256 of
// every rule's regex, options and keywords. A missing or damaged entry
// means working it out again.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_GATED_RULES_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_GATED_RULES_H_

#include <string>
#include <vector>

#include "stages/scan/secrets/internal/secret_rule.h"

namespace dso {

// One flag per rule of `list`; `cache_dir` "" keeps nothing.
std::vector<bool> GatedRules(const std::vector<SecretRule>& list,
                             const std::string& cache_dir);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_GATED_RULES_H_
