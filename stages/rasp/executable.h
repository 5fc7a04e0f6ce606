// What executing a program involves: finding it as execvp would, and the
// files the kernel executes along with it (a script's interpreter, an ELF
// program's dynamic loader), which a Landlock exec rule must also allow.
#ifndef DSO_STAGES_RASP_EXECUTABLE_H_
#define DSO_STAGES_RASP_EXECUTABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dso {

// The canonical path of the program `name` names (searched in PATH when
// it has no '/').
absl::StatusOr<std::string> FindExecutable(const std::string& name);

// The canonical paths of `program` and what it is executed through: the
// interpreter of a "#!" script and the PT_INTERP loader of an ELF file,
// followed to the end.
absl::StatusOr<std::vector<std::string>> ExecutionChain(
    const std::string& program);

}  // namespace dso

#endif  // DSO_STAGES_RASP_EXECUTABLE_H_
