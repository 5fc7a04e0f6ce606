// Secret findings in the common finding model and in gitleaks' own JSON
// report format (so tooling built on gitleaks reports keeps working). The
// secret and the match are masked in both.
#ifndef DSO_STAGES_SCAN_SECRETS_SECRET_REPORT_H_
#define DSO_STAGES_SCAN_SECRETS_SECRET_REPORT_H_

#include <string>
#include <vector>

#include "dso/v1/finding.pb.h"
#include "stages/scan/secrets/internal/secret_rule.h"
#include "stages/scan/secrets/secret_scanner.h"

namespace dso {

dso::v1::Finding ToFinding(const SecretFinding& finding,
                           const SecretRule& rule);

// gitleaks' report: a JSON array of objects with its field names and order.
std::string GitleaksJsonReport(const std::vector<SecretFinding>& findings,
                               const SecretRuleSet& rules);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_SECRET_REPORT_H_
