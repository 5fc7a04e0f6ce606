// Packages matched against the vulnerability database: one finding per
// (package, advisory) in the common finding model, with the advisory's
// aliases, a severity from its CVSS v3 vector (else the database's level,
// else MEDIUM, said so in the description), and the versions that fix it.
#ifndef DSO_STAGES_SCAN_DEPS_VULN_MATCH_H_
#define DSO_STAGES_SCAN_DEPS_VULN_MATCH_H_

#include <string>
#include <vector>

#include "dso/v1/finding.pb.h"
#include "stages/scan/deps/lockfiles.h"
#include "stages/scan/deps/osv_db.h"

namespace dso {

struct VulnMatchResult {
  std::vector<dso::v1::Finding> findings;  // by file, line, advisory
  // Packages that could not be checked (an ecosystem dso cannot order, a
  // version that does not parse), one line each.
  std::vector<std::string> notes;
};

VulnMatchResult MatchVulnerabilities(const OsvDatabase& db,
                                     const Inventory& inventory);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_VULN_MATCH_H_
