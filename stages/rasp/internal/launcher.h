// dso-run's work: start a program under the RASP layers and supervise it.
// The launcher forks; the child applies the sandbox (sandbox.h), sets up
// the monitor (LD_PRELOAD of libdso_rasp.so with the encoded policy) and
// executes the program; the parent stays outside the sandbox, receives the
// monitor's events on a private datagram socket, writes them to the event
// log and forwards them to the agent's socket, passes SIGTERM, SIGINT,
// SIGHUP and SIGQUIT on to the program, and exits as the program did.
#ifndef DSO_STAGES_RASP_INTERNAL_LAUNCHER_H_
#define DSO_STAGES_RASP_INTERNAL_LAUNCHER_H_

#include <optional>
#include <string>
#include <vector>

#include "stages/rasp/internal/idmap_service.h"
#include "stages/rasp/policy.h"

namespace dso {

struct LaunchOptions {
  std::string policy_path;
  std::string base_dir;      // relative policy paths; default: cwd
  std::string events_path;   // JSON lines; "" = none
  std::string agent_socket;  // datagram socket to forward events to
  std::string deployment;    // name in events
  std::string preload;       // libdso_rasp.so; default: beside dso-run
  std::string pidfile;       // this launcher's pid, for `deploy stop`
  std::string user;          // UID[:GID] or a user name
  // Unix sockets (or directories of them) the program may never reach,
  // besides the directory of agent_socket: the agent's own.
  std::vector<std::string> protect;
  // Directories of the caller's the program may write (a deployment's
  // shared ones), handed to --user (user_switch.h: HandOver).
  std::vector<std::string> hand_over;
  // The id-mapping service's socket, used for --user under no_new_privs
  // (idmap_service.h).
  std::string idmap_socket = kIdMapSocket;
  std::vector<std::string> argv;
};

// Runs the program; returns dso-run's exit code: the program's, 128+N when
// a signal N ended it, 126 when the sandbox could not be applied, 127 when
// the program could not be executed, 2 for a bad policy or usage.
int RunUnderRasp(const LaunchOptions& options);

}  // namespace dso

#endif  // DSO_STAGES_RASP_INTERNAL_LAUNCHER_H_
