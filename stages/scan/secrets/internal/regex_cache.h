// Rule regexes shared by every scan in the process. Compiling gitleaks'
// rules with RE2 takes a tenth of a second, and RE2 builds each regex's DFA
// lazily from the text it meets: the first scan of a tree pays for both
// (the DFA of `generic-api-key` alone costs ~250 ms per GB of source). An
// agent scans again and again with the same rules, so the compiled regexes
// (and the DFA states they have built) are kept and handed to later scans.
// RE2 objects are immutable and safe to share between threads.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_REGEX_CACHE_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_REGEX_CACHE_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace dso {

// The compiled form of an RE2 pattern with `options`, from the cache when it
// is there (one that does not compile is returned too: check ok()). The
// cache holds up to kMaxCachedRegexes patterns and forgets the least
// recently asked for beyond that; callers own what they are given.
inline constexpr size_t kMaxCachedRegexes = 4096;
std::shared_ptr<const RE2> SharedRegex(absl::string_view pattern,
                                       const RE2::Options& options);
// How many patterns the cache holds now.
size_t CachedRegexCount();

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_REGEX_CACHE_H_
