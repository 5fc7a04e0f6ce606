// The names of the scanners and report formats of ScanParams, from the
// Scanner and ReportFormat enums of proto/dso/v1/steps.proto: the lower-case
// name of each value without its prefix, in the enum's order, UNSPECIFIED
// left out. The scan step accepts these; tests check dsoctl's help and the
// Jenkins library's dsoScan against them.
#ifndef DSO_STAGES_SCAN_SCAN_NAMES_H_
#define DSO_STAGES_SCAN_SCAN_NAMES_H_

#include <string>
#include <vector>

namespace dso {

// "secrets", "deps", "image", "all".
const std::vector<std::string>& ScannerNames();
// "json", "sarif", "gitleaks".
const std::vector<std::string>& ReportFormatNames();

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SCAN_NAMES_H_
