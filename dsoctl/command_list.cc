// Every dsoctl command. A new command: its file (NAME_command.cc, defining
// NewNAMECommand) and one line in each list below.
#include "dsoctl/command.h"

namespace dso {

std::unique_ptr<Command> NewExecCommand();
std::unique_ptr<Command> NewScanCommand();
std::unique_ptr<Command> NewGateCommand();
std::unique_ptr<Command> NewBuildCommand();
std::unique_ptr<Command> NewKeysCommand();
std::unique_ptr<Command> NewSignCommand();
std::unique_ptr<Command> NewVerifyCommand();
std::unique_ptr<Command> NewDeployCommand();
std::unique_ptr<Command> NewDbCommand();
std::unique_ptr<Command> NewRunsCommand();
std::unique_ptr<Command> NewAgentCommand();
std::unique_ptr<Command> NewStoreCommand();

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(NewExecCommand());
  all.push_back(NewScanCommand());
  all.push_back(NewGateCommand());
  all.push_back(NewBuildCommand());
  all.push_back(NewKeysCommand());
  all.push_back(NewSignCommand());
  all.push_back(NewVerifyCommand());
  all.push_back(NewDeployCommand());
  all.push_back(NewDbCommand());
  all.push_back(NewRunsCommand());
  all.push_back(NewAgentCommand());
  all.push_back(NewStoreCommand());
  return all;
}

}  // namespace dso
