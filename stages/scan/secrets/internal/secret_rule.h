// The secret-detection rule model: rules and allowlists as a gitleaks
// config describes them, with every regex already compiled (RE2, Go's
// syntax). A SecretRuleSet is immutable once loaded and safe to share
// between threads; SecretMatcher (secret_matcher.h) compiles it for
// scanning.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_RULE_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_RULE_H_

#include <memory>
#include <string>
#include <vector>

#include "dso/v1/finding.pb.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "stages/scan/secrets/internal/rule_regex.h"

namespace dso {

// What an allowlist's `regexes` are matched against.
enum class RegexTarget { kSecret, kMatch, kLine };

// A set of exceptions. With condition OR (the default) any one criterion
// allows a finding; with AND every criterion the list sets must hold.
struct SecretAllowlist {
  std::string description;
  bool match_all = false;  // condition = "AND"
  std::vector<std::string> commits;
  std::vector<std::shared_ptr<const RE2>> paths;
  std::vector<std::shared_ptr<const RE2>> regexes;
  // The same regexes as one RE2::Set each (one pass instead of one per
  // regex); null when not built, then the lists are used.
  std::shared_ptr<const RE2::Set> path_set;
  std::shared_ptr<const RE2::Set> regex_set;
  RegexTarget regex_target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;  // lower case
  // Global allowlists only: the rules it applies to (empty: all).
  std::vector<std::string> target_rules;

  bool empty() const {
    return commits.empty() && paths.empty() && regexes.empty() &&
           stopwords.empty();
  }
};

struct SecretRule {
  std::string id;
  std::string description;
  std::string regex_source;  // as written (Go syntax); empty: path-only
  // Parsed when read, compiled when first needed; null: path-only.
  std::shared_ptr<const RuleRegex> regex;
  int secret_group = 0;               // 0: the first non-empty group
  double entropy = 0;                 // 0: no threshold
  std::vector<std::string> keywords;  // lower case; empty: always checked
  std::shared_ptr<const RE2> path;    // only files whose path matches
  std::vector<std::string> tags;
  dso::v1::Severity severity = dso::v1::HIGH;
  std::vector<SecretAllowlist> allowlists;
};

struct SecretRuleSet {
  std::string title;
  std::vector<SecretRule> rules;
  std::vector<SecretAllowlist> allowlists;  // global
};

// RE2 options that read a pattern the way Go's regexp package does.
RE2::Options GoRegexOptions();

// Builds `list`'s path_set and regex_set from its regexes.
void BuildAllowlistSets(SecretAllowlist& list);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_RULE_H_
