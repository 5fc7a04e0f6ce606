// Report writers for findings: dso's JSON report and SARIF 2.1.0 (accepted
// by GitHub code scanning and Jenkins Warnings NG).
//
//   ToolInfo tool{"dso-secrets", "0.1.0", "https://example.invalid/dso"};
//   std::string sarif = SarifReport(tool, findings);
//   RETURN_IF_ERROR(WriteFileAtomically("out.sarif", sarif));
#ifndef DSO_STAGES_CORE_REPORT_H_
#define DSO_STAGES_CORE_REPORT_H_

#include <string>
#include <vector>

#include "dso/v1/finding.pb.h"

namespace dso {

struct ToolInfo {
  std::string name;
  std::string version;
  std::string information_uri;
};

// {"tool":{...},"counts":{"CRITICAL":n,...},"findings":[{...}]}; fields of a
// finding as in the proto, in snake_case, empty ones left out.
std::string JsonReport(const ToolInfo& tool,
                       const std::vector<dso::v1::Finding>& findings);

// A SARIF 2.1.0 log with one run. Every result has a non-empty message and,
// when it has a file, region.startLine >= 1 (Warnings NG drops others).
std::string SarifReport(const ToolInfo& tool,
                        const std::vector<dso::v1::Finding>& findings);

}  // namespace dso

#endif  // DSO_STAGES_CORE_REPORT_H_
