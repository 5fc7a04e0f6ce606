#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "runtime/ecs_log.h"
#include "runtime/journal.h"
#include "runtime/run_entry.h"
#include "runtime/run_manager.h"
#include "stages/core/run_processes.h"
#include "stages/core/status_macros.h"

// Recovery: what the run manager learns from the journals it finds at
// startup, and how runs cut by a crash are closed.

namespace dso {

namespace fs = std::filesystem;

absl::StatusOr<dso::v1::Run> RunFromJournal(const std::string& path,
                                            const std::string& run_id) {
  ASSIGN_OR_RETURN(JournalEnds ends, ReadJournalEnds(path));
  if (ends.free) {
    return absl::NotFoundError(absl::StrCat("'", path, "' holds no run"));
  }
  if (!ends.has_first || !ends.first.has_started() ||
      (!run_id.empty() && ends.first.started().run().id() != run_id)) {
    return absl::DataLossError(absl::StrCat(
        "'", path, "' does not start with the start event of ",
        run_id.empty() ? std::string("a run") : absl::StrCat("run ", run_id)));
  }
  dso::v1::Run run = ends.first.started().run();
  run.set_last_seq(ends.first.seq());
  if (ends.has_last) {
    run.set_last_seq(ends.last.seq());
    if (ends.last.has_result()) {
      run.set_state(dso::v1::FINISHED);
      run.set_outcome(ends.last.result().outcome());
      *run.mutable_result() = ends.last.result();
      *run.mutable_finished() = ends.last.time();
    }
  }
  return run;
}

absl::Status RunManager::Recover() {
  const std::string dir = options_.data_dir + "/runs";
  std::error_code ec;
  fs::remove_all(dir + "/spare", ec);  // free journals of an older version
  std::vector<fs::path> scratch_dirs;
  for (const auto& d : fs::directory_iterator(dir, ec)) {
    if (d.path().extension() == ".scratch") scratch_dirs.push_back(d.path());
    if (d.path().extension() != ".journal") continue;
    auto entry = std::make_shared<RunEntry>();
    entry->journal_path = d.path().string();
    // The journal's first record (RunStarted) and last (the Result, once
    // finished) tell the run's state without reading the rest.
    auto meta = RunFromJournal(entry->journal_path, "");
    if (absl::IsNotFound(meta.status())) {
      free_journals_.AdoptFree(entry->journal_path);
      continue;
    }
    if (meta.ok()) {
      // Read late (load_runs_lazily): this process's own runs are known.
      auto known = FindLoaded(meta->id());
      if (known && known->journal_path == entry->journal_path) continue;
    }
    if (meta.ok() && FindLoaded(meta->id())) {
      meta = absl::AlreadyExistsError(
          absl::StrCat("run ", meta->id(), " has another journal already"));
    }
    if (!meta.ok()) {
      LogWarn(absl::StrCat("skipping journal '", entry->journal_path,
                           "': ", meta.status().message()));
      continue;
    }
    entry->id = meta->id();
    entry->base = absl::StrCat(dir, "/", entry->id);
    {
      absl::MutexLock lock(&entry->mu);
      entry->run = *meta;
    }
    // A RUNNING run whose lock another process (an embedded dsoctl) holds
    // is being executed right now; one nobody holds was cut by a crash or
    // kill of the process that executed it.
    int fd = meta->state() == dso::v1::RUNNING
                 ? LockJournal(entry->journal_path)
                 : -1;
    if (fd >= 0) {
      JournalSummary summary;
      auto journal = JournalWriter::Open(entry->journal_path, &summary);
      WarnDamagedRecords(entry->id, summary.corrupt_records);
      {
        absl::MutexLock lock(&entry->mu);
        if (journal.ok()) {
          entry->journal = std::move(*journal);
          entry->journal_size = entry->journal->size();
          entry->run.set_last_seq(summary.last_seq);
        }
      }
      dso::v1::Result result;
      result.set_outcome(dso::v1::INTERRUPTED);
      result.set_message(
          "the agent stopped (crash, kill or power loss) while this run was "
          "in progress; its output up to that point is kept");
      entry->Publish(result);
      absl::Status s = entry->Persist();
      if (!s.ok()) LogWarn(absl::StrCat("run ", entry->id, ": ", s.message()));
      fs::remove_all(entry->scratch_path(), ec);
      close(fd);
      // Its processes that outlived the agent (a command's children that
      // left its process group) die before the agent serves again.
      int killed = KillRunLeftovers(entry->id);
      LogWarn(absl::StrCat(
          "run ", entry->id,
          " was interrupted by an agent "
          "restart; marked INTERRUPTED",
          killed ? absl::StrCat("; killed ", killed, " process(es) it left")
                 : ""));
    }
    absl::MutexLock lock(&mu_);
    if (!meta->idempotency_key().empty()) {
      entry->key = IdempotencyMapKey(meta->identity(), meta->idempotency_key());
      by_key_[entry->key] = entry->id;
    }
    runs_[entry->id] = entry;
    absl::MutexLock l(&entry->mu);
    if (entry->run.state() == dso::v1::FINISHED) {
      finished_.emplace(FromTimestamp(entry->run.created()), entry->id);
    }
  }
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot list '", dir, "': ", ec.message()));
  }
  // Scratch dirs are kept only for runs another process executes.
  for (const auto& d : scratch_dirs) {
    auto entry = FindLoaded(d.stem().string());
    bool keep = false;
    if (entry) {
      absl::MutexLock l(&entry->mu);
      keep = entry->run.state() == dso::v1::RUNNING;
    }
    if (!keep) fs::remove_all(d, ec);
  }
  return absl::OkStatus();
}

}  // namespace dso
