// The deployed application's process: started detached (its own session,
// stdout and stderr appended to a log) under dso-run, found again through
// dso-run's pid file, stopped with SIGTERM and, after a grace period,
// SIGKILL to its whole process group.
#ifndef DSO_STAGES_DEPLOY_APP_PROCESS_H_
#define DSO_STAGES_DEPLOY_APP_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dso {

// How a release starts; kept in its release.json so a rollback starts the
// previous release exactly as it was.
struct AppSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // the whole environment, NAME=VALUE
  std::string cwd;
  std::string rasp_policy;  // the release's copy
  std::string user;
  std::string deployment;
  int port = 0;
};

std::string AppSpecToJson(const AppSpec& spec);
absl::StatusOr<AppSpec> AppSpecFromJson(const std::string& json);

struct AppPaths {
  std::string dso_run;       // the launcher binary
  std::string pidfile;       // dso-run writes its pid here
  std::string log;           // the application's stdout and stderr
  std::string events;        // RASP events
  std::string agent_socket;  // the agent's RASP event socket, or ""
  // The agent's sockets (and data directory) the application may never
  // reach: dso-run --protect.
  std::vector<std::string> protect;
  // The target's shared directories, for the application's user to write
  // (dso-run --hand-over).
  std::vector<std::string> hand_over;
};

// Starts `spec` under dso-run, detached; returns dso-run's pid once its pid
// file names it. Fails when dso-run cannot be executed or exits at once
// (a bad policy), with the end of the log.
absl::StatusOr<pid_t> StartApp(const AppSpec& spec, const AppPaths& paths);

// The pid of the dso-run the pid file names, if it is running; 0 if not.
pid_t RunningApp(const std::string& pidfile);

// Stops the application the pid file names (nothing when none runs).
absl::Status StopApp(const std::string& pidfile, absl::Duration grace);

// The last `lines` lines of a log file, for error messages.
std::string LogTail(const std::string& path, int lines);

// The dso-run binary: $DSO_RUN, beside this program, in the build tree
// (stages/rasp/ under an ancestor directory), or in PATH.
absl::StatusOr<std::string> FindDsoRun();

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_APP_PROCESS_H_
