// Loads secret rules from gitleaks TOML configs, so a team's existing
// gitleaks.toml works unchanged:
//
//   auto rules = LoadGitleaksConfig("gitleaks.toml");  // or the defaults:
//   auto rules = DefaultSecretRules();
//
// Supported: [[rules]] (id, description, regex, secretGroup, entropy,
// keywords, path, tags, [[rules.allowlists]] and the older
// [rules.allowlist]), global [allowlist] / [[allowlists]] (with
// targetRules), allowlist fields condition, commits, paths, regexes,
// regexTarget, stopwords, and [extend] useDefault / path / disabledRules.
// dso adds one optional rule field, severity (CRITICAL..INFO; default
// HIGH). Anything else is an error naming the file, the rule and the key:
// a config is never half-understood.
#ifndef DSO_STAGES_SCAN_SECRETS_GITLEAKS_CONFIG_H_
#define DSO_STAGES_SCAN_SECRETS_GITLEAKS_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/scan/secrets/internal/secret_rule.h"

namespace dso {

absl::StatusOr<SecretRuleSet> LoadGitleaksConfig(const std::string& path);

// Where an [extend] path may point: anywhere (dsoctl, reading its user's
// files), or only beneath `base_dir` (the agent: the scanned directory; an
// absolute path, "..", or a link out is refused).
enum class ExtendPaths { kAnywhere, kBeneathBaseDir };

// `source` names the text in messages; `base_dir` resolves a relative
// [extend] path.
absl::StatusOr<SecretRuleSet> ParseGitleaksConfig(
    absl::string_view toml, const std::string& source,
    const std::string& base_dir, ExtendPaths extend = ExtendPaths::kAnywhere);

// ParseGitleaksConfig for dsoctl's check of a config before it sends it:
// the result is also kept for the next ParseGitleaksConfig of the same
// text and name in this process, which takes it instead of parsing again
// (dsoctl's embedded agent: one parse instead of two, some milliseconds of
// every scan's start). Not kept when the config reads another file (an
// [extend] path: the agent resolves it beneath the scanned directory).
absl::StatusOr<SecretRuleSet> CheckGitleaksConfig(absl::string_view toml,
                                                  const std::string& source,
                                                  const std::string& base_dir);

// dso's built-in rule set (default_rules.toml, compiled in).
absl::StatusOr<SecretRuleSet> DefaultSecretRules();

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_GITLEAKS_CONFIG_H_
