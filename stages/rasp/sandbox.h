// The kernel-enforced layers dso-run puts around the protected program, in
// the child just before it executes the program: the user to run as,
// capabilities dropped (bounding and ambient sets too), no_new_privs, a
// Landlock ruleset (file-system writes and executions, TCP connect and bind
// ports; block mode only, as far as the kernel's Landlock ABI goes) and a
// seccomp filter of dangerous system calls (errors in block mode, kernel
// audit log entries in monitor mode). These hold for static binaries and
// raw system calls too, which the preloaded monitor cannot see.
#ifndef DSO_STAGES_RASP_SANDBOX_H_
#define DSO_STAGES_RASP_SANDBOX_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "stages/rasp/policy.h"

namespace dso {

struct SandboxOptions {
  std::optional<uid_t> uid;  // switch to this user (and gid) first
  gid_t gid = 0;
  // Executables the program needs besides the policy's: the program
  // itself and its ELF interpreter (dso-run adds them).
  std::vector<std::string> implicit_exec;
};

// The default deny list: system calls a service has no business making
// (debugging other processes, kernel modules, mounts, namespaces, BPF,
// io_uring — which would bypass the monitor —, keyrings, clock changes,
// memfd_create — a program run from memory is in no exec list). Besides
// the list, the filter always refuses execveat with AT_EMPTY_PATH (running
// a program by descriptor; unless the policy allows execveat) and setting
// the setuid or setgid bit with chmod, fchmod, fchmodat or fchmodat2.
const std::vector<std::string>& DefaultDeniedSyscalls();

// Applies every layer to the calling process, in order; `notes` says what
// was applied and what the kernel could not do (Landlock missing, an
// older ABI). Fails when a layer the policy needs cannot be applied in a
// way that would leave the program less protected than reported.
absl::Status ApplySandbox(const RaspPolicy& policy,
                          const SandboxOptions& options,
                          std::vector<std::string>* notes);

// Checks that every capability and system call name the policy uses is
// known, before anything starts.
absl::Status CheckSandboxNames(const RaspPolicy& policy,
                               const std::string& policy_name);

}  // namespace dso

#endif  // DSO_STAGES_RASP_SANDBOX_H_
