// A rule's regex, checked when the rules are read and compiled the first
// time a scan needs it. Compiling gitleaks' 222 rules with RE2 is a third
// of a small scan's start, while a small input confirms a handful of them
// (a rule's regex runs only where Hyperscan's prefilter found it may
// match). Parsing finds every syntax error up front; the compiled RE2 comes
// from the process-wide cache (regex_cache.h), so an agent compiles each
// once. Thread-safe: workers share one RuleRegex.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_RULE_REGEX_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_RULE_REGEX_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/base/call_once.h"
#include "absl/status/statusor.h"
#include "re2/re2.h"

namespace dso {

class RuleRegex {
 public:
  // Parses `pattern` (RE2 syntax) with `options`; an error holds RE2's
  // reason.
  static absl::StatusOr<std::shared_ptr<const RuleRegex>> Parse(
      std::string pattern, const RE2::Options& options);

  const std::string& pattern() const { return pattern_; }
  const RE2::Options& options() const { return options_; }
  int NumberOfCapturingGroups() const { return captures_; }

  // The compiled regex, made on the first call. It may be !ok() where RE2
  // refuses to compile what it parsed (a program larger than its memory
  // budget): the rule then matches nothing, and its error() says why.
  const RE2& Compiled() const;
  // True once Compiled() has been called and RE2 refused to compile it.
  bool Refused() const;

  RuleRegex(std::string pattern, const RE2::Options& options, int captures)
      : pattern_(std::move(pattern)), options_(options), captures_(captures) {}

 private:
  std::string pattern_;
  RE2::Options options_;
  int captures_;
  mutable absl::once_flag once_;
  mutable std::shared_ptr<const RE2> compiled_;
  mutable std::atomic<bool> refused_{false};
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_RULE_REGEX_H_
