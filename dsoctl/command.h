// Command: one dsoctl command (or a group: `runs list|show|...`). Each
// command file, dsoctl/NAME_command.cc, defines its own: the subcommands and
// flags it adds to the command line, and what it does when the user chose
// it; its AddNAMECommands (NAME in CamelCase) adds them to the list.
// CommandLine adds every command of AllCommands() and runs the one chosen. A
// command keeps its parsed flags; it lives as long as the CLI::App it was
// added to.
#ifndef DSO_DSOCTL_COMMAND_H_
#define DSO_DSOCTL_COMMAND_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "dsoctl/commands.h"

namespace dso {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the command's subcommand(s) and their flags to `app`.
  virtual void AddTo(CLI::App& app) = 0;
  // After parsing: the exit code of running it when the user chose it,
  // nullopt when another command was chosen.
  virtual std::optional<int> RunIfChosen(const GlobalOptions& g) = 0;
};

using Commands = std::vector<std::unique_ptr<Command>>;

// Every command, in the order `dsoctl --help` lists them: by the name of
// their files. Generated (dsoctl/command_list.cc.in, dsoctl/CMakeLists.txt):
// a new NAME_command.cc is found by its name.
Commands AllCommands();

// The whole command line: --version, the global flags (--agent, --json,
// TLS, --data-dir) and every command, added to one CLI::App. Used by main and
// by the commands' tests.
class CommandLine {
 public:
  CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  CLI::App& app() { return app_; }
  GlobalOptions& global() { return global_; }
  // After app().parse(): runs the command the user chose and returns its
  // exit code (kExitUsage when none was chosen).
  int RunChosen();

 private:
  CLI::App app_{"dsoctl: run DevSecOps pipeline steps on a dso agent"};
  GlobalOptions global_;
  Commands commands_;
};

// The flags every command that starts a run has: --deadline and
// --idempotency-key.
void AddRunFlags(CLI::App* command, uint32_t* deadline_seconds,
                 std::string* idempotency_key);

// A Command of one subcommand: `add` adds it to the app and returns it,
// `run` runs it. For the commands that need no state beyond their options.
std::unique_ptr<Command> SimpleCommand(
    std::function<CLI::App*(CLI::App&)> add,
    std::function<int(const GlobalOptions&)> run);

}  // namespace dso

#endif  // DSO_DSOCTL_COMMAND_H_
