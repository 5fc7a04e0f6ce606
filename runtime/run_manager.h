// RunManager: starts steps as runs, journals their events, and lets any
// number of clients follow, cancel and list them.
//
// Layout under <data_dir>/runs/, flat so that a run costs few inodes:
//   <n>.journal   a journal (runtime/journal.h), the whole record of one run:
//                 its first event carries the Run (and so the run's id),
//                 its last the Result; flock()ed by the process executing
//                 the run. Or a free one, kept for a new run
//                 (runtime/journal_pool.h)
//   <id>.scratch/ the step's scratch directory, removed when the run ends
//
// Runs found RUNNING at startup whose lock nobody holds were cut by a crash
// or kill: they are finished as INTERRUPTED, their history kept. A retried
// request with the same (identity, idempotency key) attaches to the existing
// run, also after a restart. At most max_concurrent_runs execute at once;
// beyond that Start fails with RESOURCE_EXHAUSTED. A watchdog cancels runs
// past their deadline. Finished runs beyond the retention count are pruned,
// oldest first, as each run ends; those past the retention age by the
// watchdog, every minute. Thread-safe.
#ifndef DSO_RUNTIME_RUN_MANAGER_H_
#define DSO_RUNTIME_RUN_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "dso/v1/agent.pb.h"
#include "runtime/input_handles.h"
#include "runtime/journal_pool.h"
#include "runtime/metrics.h"
#include "runtime/worker_pool.h"
#include "stages/core/step.h"
#include "stages/store/blob_store.h"

namespace dso {

struct RunManagerOptions {
  std::string data_dir;
  int max_concurrent_runs = 4;
  absl::Duration default_deadline = absl::Hours(1);
  absl::Duration max_deadline = absl::Hours(6);
  absl::Duration kill_grace = absl::Seconds(10);
  absl::Duration retention_max_age = absl::Hours(168);
  int retention_max_runs = 1000;
  // The artifact store: blobs unused for retention_max_age go, then the
  // least recently used above this.
  uint64_t retention_max_store_bytes = 64ull << 30;
  // Local paths steps may read; "/" allows everything (embedded mode).
  std::vector<std::string> allowed_roots;
  // Directories file:// stores may lie beneath; "/" everywhere (embedded).
  std::vector<std::string> store_roots;
  // Directories local clients handed over (borrowed; null: none taken).
  InputHandles* handles = nullptr;
  // The largest single file a handle may stand for (it is copied into the
  // run's scratch directory): as large as an upload may be.
  uint64_t max_input_file_bytes = 16ull << 30;
  // The agent's own credentials and their destinations (embedded mode:
  // the user's environment, everywhere).
  AgentCredentials credentials;
  // Embedded mode (dsoctl without an agent, a process per command): the
  // runs already in the data dir are read when something needs them — a
  // run this process did not start, the list, an idempotency key, pruning
  // — not at start, so that start-up does not grow with the runs kept.
  // Recovery, pruning and blob collection still run at start when due:
  // more journals than retention_max_runs, or an hour since they last ran
  // (the mtime of runs/.housekeeping).
  bool load_runs_lazily = false;
};

struct RunEntry;

// The order of ListRuns: newest first (by creation, then id).
bool NewerRun(const dso::v1::Run& a, const dso::v1::Run& b);

class RunManager {
 public:
  // Loads and recovers the runs under options.data_dir. The registry, store
  // and metrics are borrowed and must outlive the manager.
  static absl::StatusOr<std::unique_ptr<RunManager>> Create(
      RunManagerOptions options, const StepRegistry* steps, BlobStore* store,
      AgentMetrics* metrics);
  ~RunManager();  // Shutdown(0) unless done already
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  // Starts a run, or finds the one started with the same identity and
  // idempotency key. Returns its id. Whether `identity` may run the step,
  // and read the blobs it names, is the caller's to check (agent_service).
  absl::StatusOr<std::string> Start(const dso::v1::RunStepRequest& request,
                                    const std::string& identity);
  absl::StatusOr<dso::v1::Run> Get(const std::string& id);
  // Newest first; limit 0 = all.
  std::vector<dso::v1::Run> List(size_t limit);
  // Asks a live run to stop; a finished run is returned unchanged.
  absl::StatusOr<dso::v1::Run> Cancel(const std::string& id,
                                      const std::string& reason);

  // Passes the run's events with seq >= from_seq, in order, to `send`,
  // waiting for new ones while the run is live; the result event is sent
  // even when from_seq lies beyond it. Returns OK after the result
  // event, CANCELLED when `send` returns false or `stop()` turns true.
  using EventSender = std::function<bool(const dso::v1::Event& event)>;
  absl::Status Follow(const std::string& id, uint64_t from_seq,
                      const EventSender& send,
                      const std::function<bool()>& stop);

  // Refuses new runs, waits up to `grace` for live runs, then cancels them
  // (they end INTERRUPTED) and waits for them to stop.
  void Shutdown(absl::Duration grace);

  int active_runs() const;
  const RunManagerOptions& options() const { return options_; }
  std::vector<std::string> step_names() const { return steps_->Names(); }

 private:
  RunManager(RunManagerOptions options, const StepRegistry* steps,
             BlobStore* store, AgentMetrics* metrics);
  // Reads the runs under data_dir (run_recovery.cc): once, at start or
  // (load_runs_lazily) when first needed.
  absl::Status Recover();
  void EnsureRecovered();
  // Recovery, pruning and blob collection, and the time of it recorded.
  void Housekeep();
  // For a run another process executes (sharing the data dir): re-reads its
  // state from the journal. True while that run is still RUNNING; marks it
  // pruned_elsewhere when its journal no longer holds it.
  static bool RefreshIfForeign(RunEntry& entry);
  void Execute(std::shared_ptr<RunEntry> entry,
               dso::v1::RunStepRequest request);
  void Watchdog();
  // Finished runs of other processes sharing the data dir become prunable.
  void AdoptForeignFinished();
  void Prune();
  // Garbage-collects the artifact store (BlobStore::Collect).
  void CollectBlobs();
  // The run `id`: among those loaded, then (load_runs_lazily) after
  // reading the data dir's.
  std::shared_ptr<RunEntry> Find(const std::string& id);
  std::shared_ptr<RunEntry> FindLoaded(const std::string& id) const;

  const RunManagerOptions options_;
  const StepRegistry* steps_;
  BlobStore* store_;
  AgentMetrics* metrics_;
  JournalPool free_journals_;

  absl::Mutex recover_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  bool recovered_ ABSL_GUARDED_BY(recover_mu_) = false;
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<RunEntry>> runs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> by_key_ ABSL_GUARDED_BY(mu_);
  // The finished runs of runs_ by creation time: what pruning takes from.
  std::set<std::pair<absl::Time, std::string>> finished_ ABSL_GUARDED_BY(mu_);
  // Runs executing in this process, by id; their count is what the
  // concurrency limit counts. A slot frees when the result is published.
  std::map<std::string, std::shared_ptr<RunEntry>> live_ ABSL_GUARDED_BY(mu_);
  // Run threads still alive (they persist the journal after publishing).
  int threads_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_prune_ ABSL_GUARDED_BY(mu_);
  absl::Time last_collect_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // Signalled when threads_ drops and when stopped_ turns true (a CondVar:
  // see WorkerPool::changed_ on Mutex::Await).
  absl::CondVar state_changed_;
  std::thread watchdog_;
  WorkerPool workers_;  // last: destroyed (joined) first
};

}  // namespace dso

#endif  // DSO_RUNTIME_RUN_MANAGER_H_
