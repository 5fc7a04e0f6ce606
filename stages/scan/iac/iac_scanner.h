// The IaC scanner over a directory tree: every file it knows how to read
// (Dockerfiles so far) found beneath the root, read with a size bound,
// parsed and checked. Paths are relative to the root; a file that cannot
// be read or parsed whole is named in a warning, the rest is scanned.
#ifndef DSO_STAGES_SCAN_IAC_IAC_SCANNER_H_
#define DSO_STAGES_SCAN_IAC_IAC_SCANNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "stages/scan/iac/dockerfile_checks.h"

namespace dso {

// Larger IaC files are not read (a warning names them).
inline constexpr uint64_t kMaxIacFileBytes = 8 << 20;

struct IacFileFinding {
  std::string file;  // relative to the root
  IacFinding finding;
};

struct IacScanResult {
  std::vector<IacFileFinding> findings;
  std::vector<std::string> warnings;  // "FILE:LINE: what" or "FILE: why"
  uint64_t files = 0;                 // files checked
  uint64_t unreadable = 0;            // files and directories not read
};

// `root` is a directory, or one file (scan --path FILE).
IacScanResult ScanIacTree(const std::string& root);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_IAC_IAC_SCANNER_H_
