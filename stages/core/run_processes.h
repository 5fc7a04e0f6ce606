// RunProcesses: every process a run starts, held so that all of them can be
// killed when the run ends — also those that left the command's process
// group (a double fork with setsid) — and, after a crash of the agent,
// found again and killed before the agent serves.
//
// Two ways, the first the agent may use:
//   - a cgroup v2 of the run's own, "dso-run-<run id>" beneath the agent's
//     cgroup (needs a writable cgroup2 hierarchy: root, or a systemd unit
//     with Delegate=yes); its processes cannot leave it, and cgroup.kill
//     ends them all at once;
//   - a marker in every process's environment (DSO_RUN_ID=<run id>), found
//     by a scan of /proc. A process that re-executes itself with a scrubbed
//     environment escapes this one; docs/security.md says so.
//
// Usage (exec step):
//   RunProcesses procs(run_id);
//   env.push_back(procs.MarkerEnv());
//   pid = procs.Fork(); if (pid == 0) { ... execve(...); }
//   ...
//   procs.KillAll();  // also done by the destructor
#ifndef DSO_STAGES_CORE_RUN_PROCESSES_H_
#define DSO_STAGES_CORE_RUN_PROCESSES_H_

#include <string>

namespace dso {

class RunProcesses {
 public:
  // Creates the run's cgroup when it can; `run_id` must not be empty.
  explicit RunProcesses(std::string run_id);
  ~RunProcesses();  // KillAll, then removes the cgroup
  RunProcesses(const RunProcesses&) = delete;
  RunProcesses& operator=(const RunProcesses&) = delete;

  // "DSO_RUN_ID=<run id>", for the environment of every process started.
  std::string MarkerEnv() const;
  // fork(), with the child born inside the run's cgroup when there is one
  // (clone3 with CLONE_INTO_CGROUP: no migration afterwards, which costs
  // the kernel an RCU grace period — tens of milliseconds — per process).
  // Where clone3 cannot, the child moves itself into the cgroup before
  // fork() returns to it. As with fork() in a threaded process, the child
  // may only make async-signal-safe calls until it execs.
  pid_t Fork() const;
  // Kills every process of the run still alive; how many were signalled.
  // Again without a Fork since: 0, nothing scanned (whatever a process of
  // the run could still start, the last KillAll's rounds killed).
  int KillAll();
  // "cgroup /sys/fs/cgroup/.../dso-run-ID" or "environment marker", for
  // the run's log.
  std::string Describe() const;

 private:
  std::string run_id_;
  std::string cgroup_;  // "" when none
  int dir_fd_ = -1;     // the cgroup's directory, for clone3
  int procs_fd_ = -1;   // its cgroup.procs, where clone3 cannot
  mutable bool killed_since_fork_ = false;
};

// What a run cut by a crash of the agent left: kills its cgroup's processes
// and removes the cgroup, and kills every process marked with its id.
// Returns how many were signalled.
int KillRunLeftovers(const std::string& run_id);

// The processes (of this user, or any when root) whose environment holds
// `marker` ("DSO_RUN_ID=<id>") exactly; exposed for tests.
int KillMarkedProcesses(const std::string& marker);

}  // namespace dso

#endif  // DSO_STAGES_CORE_RUN_PROCESSES_H_
