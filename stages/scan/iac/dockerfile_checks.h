// The IaC scanner's Dockerfile checks: each with an id of dso's, a
// severity, a title and a remediation, and the id of checkov's equivalent
// check where one exists (docs/iac.md lists them). Checks that judge the
// whole file (a HEALTHCHECK, a USER) report the file as their resource, as
// checkov does; the others report the instruction.
#ifndef DSO_STAGES_SCAN_IAC_DOCKERFILE_CHECKS_H_
#define DSO_STAGES_SCAN_IAC_DOCKERFILE_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dso/v1/finding.pb.h"
#include "stages/scan/iac/dockerfile.h"

namespace dso {

struct IacCheck {
  const char* id;       // dso's, e.g. "DKR007"
  const char* checkov;  // checkov's equivalent, or ""
  dso::v1::Severity severity;
  const char* title;
  const char* remediation;
};

// What a check found: where, and the text that made it fail.
struct IacFinding {
  const IacCheck* check = nullptr;
  // checkov's name of it: "/Dockerfile." for whole-file checks,
  // "/Dockerfile.RUN" for an instruction.
  std::string resource;
  uint32_t line = 0, end_line = 0;
  // What may be shown: the instruction, shortened, or only its keyword
  // where the rest may hold a credential (RUN, ADD, ARG, ENV, ...).
  std::string evidence;
  // The whole instruction, to tell findings apart (fingerprints); never
  // shown.
  std::string instruction;
};

// Every Dockerfile check, in id order.
const std::vector<IacCheck>& DockerfileChecks();

// The checks' findings for `file` (its path as reported) parsed as `df`.
std::vector<IacFinding> CheckDockerfile(const Dockerfile& df,
                                        const std::string& file);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_IAC_DOCKERFILE_CHECKS_H_
