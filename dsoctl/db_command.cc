// dsoctl db import [--db DIR] PATH... | info [--db DIR]: the "db" step.
#include <filesystem>

#include "absl/time/clock.h"
#include "dsoctl/command.h"
#include "dsoctl/commands.h"
#include "dsoctl/run_request.h"
#include "dsoctl/transfer.h"

namespace dso {
namespace {

int CmdDb(const GlobalOptions& g, const DbOptions& o) {
  absl::Time start = absl::Now();
  dso::v1::RunStepRequest req = NewRunRequest("db", o.idempotency_key, 0);
  auto* p = req.mutable_db();
  if (!o.db.empty()) {
    std::error_code ec;
    p->set_db(std::filesystem::absolute(o.db, ec).lexically_normal().string());
  }
  auto conn = AgentConnection::Open(g.connection);
  if (!conn.ok()) return Fail(g, "db", conn.status());
  for (const std::string& path : o.paths) {
    auto input = PrepareInput(**conn, path);
    if (!input.ok()) return Fail(g, "db", input.status());
    *p->add_sources() = *std::move(input);
    std::error_code ec;
    p->add_source_names(
        std::filesystem::absolute(path, ec).lexically_normal().string());
  }
  auto run = RunAndFollow(**conn, req);
  return FinishRun(g, **conn, "db", start, std::move(run), {});
}

}  // namespace

std::unique_ptr<Command> NewDbCommand() {
  struct Db final : Command {
    DbOptions o;
    CLI::App *import = nullptr, *info = nullptr;
    void AddTo(CLI::App& app) override {
      auto* db = app.add_subcommand("db", "the local vulnerability database");
      db->require_subcommand(1);
      import = db->add_subcommand(
          "import", "import OSV records: import [--db DIR] PATH...");
      import->add_option("--db", o.db,
                         "database directory (default: the agent's)");
      import
          ->add_option("paths", o.paths,
                       "directories of .json/.yaml records, record files, or "
                       ".zip archives of them")
          ->required();
      info = db->add_subcommand("info", "sources, counts, last import");
      info->add_option("--db", o.db,
                       "database directory (default: the agent's)");
    }
    std::optional<int> RunIfChosen(const GlobalOptions& g) override {
      if (!import->parsed() && !info->parsed()) return std::nullopt;
      return CmdDb(g, o);
    }
  };
  return std::make_unique<Db>();
}

void AddDbCommands(Commands& all) { all.push_back(NewDbCommand()); }

}  // namespace dso
