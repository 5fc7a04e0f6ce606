#include "dsoctl/command.h"

#include "dsoctl/exit_codes.h"
#include "runtime/version.h"

namespace dso {

namespace {

class Simple final : public Command {
 public:
  Simple(std::function<CLI::App*(CLI::App&)> add,
         std::function<int(const GlobalOptions&)> run)
      : add_(std::move(add)), run_(std::move(run)) {}
  void AddTo(CLI::App& app) override { command_ = add_(app); }
  std::optional<int> RunIfChosen(const GlobalOptions& g) override {
    if (command_ == nullptr || !command_->parsed()) return std::nullopt;
    return run_(g);
  }

 private:
  std::function<CLI::App*(CLI::App&)> add_;
  std::function<int(const GlobalOptions&)> run_;
  CLI::App* command_ = nullptr;
};

void AddGlobalFlags(CLI::App& app, GlobalOptions& g) {
  ConnectionOptions& c = g.connection;
  app.add_option("--agent", c.agent,
                 "unix:///path or host:port; default: run embedded")
      ->envname("DSO_AGENT");
  app.add_option("--json", g.json_path, "write a JSON summary to FILE");
  app.add_option("--tls-cert", c.tls_cert, "client certificate (PEM)")
      ->envname("DSO_TLS_CERT");
  app.add_option("--tls-key", c.tls_key, "client key (PEM)")
      ->envname("DSO_TLS_KEY");
  app.add_option("--tls-ca", c.tls_ca, "CA of the agent's certificate")
      ->envname("DSO_TLS_CA");
  app.add_flag("--insecure-tcp", c.insecure_tcp,
               "plain TCP to a test agent on loopback");
  app.add_option("--data-dir", c.data_dir,
                 "embedded mode's data dir (default $XDG_DATA_HOME/dso)");
}

}  // namespace

CommandLine::CommandLine() : commands_(AllCommands()) {
  app_.require_subcommand(1);
  app_.set_version_flag("--version", kDsoVersion);
  AddGlobalFlags(app_, global_);
  for (auto& command : commands_) command->AddTo(app_);
}

int CommandLine::RunChosen() {
  for (auto& command : commands_) {
    if (std::optional<int> code = command->RunIfChosen(global_)) return *code;
  }
  return kExitUsage;
}

void AddRunFlags(CLI::App* command, uint32_t* deadline_seconds,
                 std::string* idempotency_key) {
  command->add_option("--deadline", *deadline_seconds,
                      "seconds before the run is stopped (0: the agent's "
                      "default, which also caps it)");
  command->add_option("--idempotency-key", *idempotency_key,
                      "a retry with the same key attaches to the same run "
                      "(default: a fresh key)");
}

std::unique_ptr<Command> SimpleCommand(
    std::function<CLI::App*(CLI::App&)> add,
    std::function<int(const GlobalOptions&)> run) {
  return std::make_unique<Simple>(std::move(add), std::move(run));
}

}  // namespace dso
