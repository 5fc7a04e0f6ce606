// dsoctl: the command-line client of dso-agent (or, without --agent, an
// embedded agent). Its contract: the README (usage, exit codes) and
// `dsoctl --help`; where it sits: docs/architecture.md. The commands and
// their flags are in their own files (command.h; NAME_command.cc).
#include <signal.h>

#include <thread>

#include "CLI/CLI.hpp"
#include "absl/base/internal/cycleclock.h"
#include "absl/synchronization/mutex.h"
#include "dsoctl/command.h"
#include "dsoctl/exit_codes.h"
#include "dsoctl/follow.h"
#include "runtime/ecs_log.h"

int main(int argc, char** argv) {
  // Debian's Abseil checks every lock order at run time; it costs more
  // than the agent's own work on short runs.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // The first thread to wait on a contended absl::Mutex measures the CPU
  // clock (no tsc_freq_khz in most VMs: 3-7 ms asleep, the mutex's spin bit
  // held). Measured in the background from the start, it is ready before
  // a command's threads first contend.
  std::thread([] { absl::base_internal::CycleClock::Frequency(); }).detach();
  dso::InstallInterruptHandler();
  signal(SIGPIPE, SIG_IGN);
  dso::InitLogging(/*json=*/false, /*quiet=*/true);

  dso::CommandLine command_line;
  CLI::App& app = command_line.app();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : dso::kExitUsage;
  }
  return command_line.RunChosen();
}
