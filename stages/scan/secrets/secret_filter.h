// What keeps a rule's match from becoming a finding: gitleaks allowlists
// (global and per rule), inline "gitleaks:allow" / "dso:allow" comments,
// and placeholders that are obviously not real secrets.
#ifndef DSO_STAGES_SCAN_SECRETS_SECRET_FILTER_H_
#define DSO_STAGES_SCAN_SECRETS_SECRET_FILTER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "stages/scan/secrets/internal/secret_rule.h"

namespace dso {

// A match as the allowlists see it.
struct MatchContext {
  absl::string_view path;    // relative to the scanned root
  absl::string_view commit;  // empty outside git history
  absl::string_view secret;
  absl::string_view match;
  absl::string_view line;  // the whole line(s) the match is on
};

bool Allows(const SecretAllowlist& list, const MatchContext& m);
bool AnyAllows(const std::vector<SecretAllowlist>& lists,
               const MatchContext& m);

// True when an allowlist lets the whole file (in `commit`, if any) go
// unscanned: an OR list naming its path or commit, or an AND list that
// sets only paths and commits, each of which matches.
bool ExcludesFile(const std::vector<SecretAllowlist>& lists,
                  absl::string_view path, absl::string_view commit);

// True when an allowlist lets a whole commit go unscanned: an OR list
// naming it, or an AND list whose only criterion is its commits.
bool ExcludesCommit(const std::vector<SecretAllowlist>& lists,
                    absl::string_view commit);

// The fingerprints in a .gitleaksignore-style text: one per line, blank
// lines and '#' comments skipped.
std::vector<std::string> ParseIgnoreList(absl::string_view text);

// "gitleaks:allow" or "dso:allow" on the line.
bool HasInlineAllow(absl::string_view line);

// Template variables (${TOKEN}, {{ .Values.key }}, %KEY%, <your-token>),
// runs of one character (xxxx, ****), values most of which is one
// character (AAAAAAAA...AAB, base64 of zeros), and documentation examples
// (AKIAIOSFODNN7EXAMPLE, ...EXAMPLEKEY).
bool IsPlaceholder(absl::string_view secret);

// For generic rules (a secret-looking name = a value): a value that is a
// name, not a secret — letters only, made of word-like camelCase parts
// (GMSACredentialSpecName, secretKeyRef), or the name it is assigned to
// (`password: Password`). `match` is the rule's whole match.
bool LooksLikeIdentifier(absl::string_view secret, absl::string_view match);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_SECRET_FILTER_H_
