// RunEntry: the RunManager's record of one run, shared by the thread that
// executes it and the clients following it; and RunContext, the
// StepContext a run's step sees. Internal to the run manager.
#ifndef DSO_RUNTIME_RUN_ENTRY_H_
#define DSO_RUNTIME_RUN_ENTRY_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "runtime/journal.h"
#include "runtime/run_manager.h"
#include "dso/v1/agent.pb.h"
#include "stages/core/cancellation.h"
#include "stages/core/step_context.h"
#include "stages/store/blob_store.h"

namespace dso {

struct RunEntry {
  std::string id;
  std::string base;          // <data_dir>/runs/<id>: the scratch dir's stem
  std::string journal_path;  // set before the entry is shared; constant
  std::string key;  // identity + '\0' + idempotency key; empty without a key

  mutable absl::Mutex mu;
  absl::CondVar changed;  // signalled on every event and at the end
  dso::v1::Run run ABSL_GUARDED_BY(mu);
  uint64_t journal_size ABSL_GUARDED_BY(mu) = 0;  // bytes readers may read
  bool live ABSL_GUARDED_BY(mu) = false;          // executing in this process
  // Run by another process, which pruned it: its journal holds it no more.
  bool pruned_elsewhere ABSL_GUARDED_BY(mu) = false;
  std::unique_ptr<JournalWriter> journal ABSL_GUARDED_BY(mu);
  std::unique_ptr<JournalWriter> closing;  // between Publish and Persist
  absl::Status journal_error ABSL_GUARDED_BY(mu);
  // The run's events from seq recent_first on, kept while it executes here
  // so followers need not read them back from the journal; dropped
  // (complete = false) past kRecentBytes, and cut to the result event once
  // the run is persisted (a follower that has all but the result, the
  // common case, never opens the journal).
  static constexpr uint64_t kRecentBytes = 256 << 10;
  std::vector<dso::v1::Event> recent ABSL_GUARDED_BY(mu);
  uint64_t recent_first ABSL_GUARDED_BY(mu) = 1;
  bool recent_complete ABSL_GUARDED_BY(mu) = false;

  // run.last_seq(), readable without the lock: what a follower spinning
  // for the next event watches.
  std::atomic<uint64_t> last_seq_hint{0};
  CancellationToken token;
  absl::Time deadline = absl::InfiniteFuture();

  // Consumes `event`.
  void AppendLocked(dso::v1::Event& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  std::string scratch_path() const { return base + ".scratch"; }

  // Assigns seq, time and run id, appends to the journal and wakes
  // followers. A journal failure (e.g. a full disk) cancels the run.
  void Emit(dso::v1::Event event);
  // Appends the result event and marks the run FINISHED with it under one
  // lock, so no reader sees a result on a run that still says RUNNING.
  void Publish(const dso::v1::Result& result);
  // Then fsyncs and closes the journal.
  absl::Status Persist();
  // Followers read the journal from now on.
  void DropRecentLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Keeps only the result event, if recent holds it.
  void KeepResultOnlyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

class RunContext : public StepContext {
 public:
  RunContext(RunEntry& entry, std::string scratch,
             const RunManagerOptions& options, BlobStore* store)
      : entry_(entry),
        scratch_(std::move(scratch)),
        allowed_roots_(options.allowed_roots),
        store_roots_(options.store_roots),
        kill_grace_(options.kill_grace),
        credentials_(options.credentials),
        handles_(options.handles),
        max_input_file_bytes_(options.max_input_file_bytes),
        store_(store) {}
  // Closes the handed-over inputs it took, and drops the uploads it
  // unpacked that nobody else has used since (BlobStore::DropIfUnusedSince).
  ~RunContext() override;

  void Emit(dso::v1::Event event) override { entry_.Emit(std::move(event)); }
  const CancellationToken& cancellation() const override {
    return entry_.token;
  }
  absl::Time deadline() const override { return entry_.deadline; }
  const std::string& run_id() const override { return entry_.id; }
  absl::Duration kill_grace() const override { return kill_grace_; }
  const AgentCredentials& agent_credentials() const override {
    return credentials_;
  }
  // Created on first use: most steps never need one.
  const std::string& scratch_dir() const override;
  bool scratch_made() const { return scratch_made_; }
  absl::StatusOr<std::string> ResolveInput(
      const dso::v1::Input& input) override;
  absl::StatusOr<std::string> ResolveAgentPath(absl::string_view what,
                                               const std::string& path,
                                               PathUse use) override;
  absl::StatusOr<dso::v1::Artifact> PutArtifact(
      const std::string& path, absl::string_view name,
      absl::string_view media_type) override;

 private:
  RunEntry& entry_;
  std::string scratch_;
  mutable bool scratch_made_ = false;
  const std::vector<std::string>& allowed_roots_;
  const std::vector<std::string>& store_roots_;
  absl::Duration kill_grace_;
  const AgentCredentials& credentials_;
  InputHandles* handles_;
  uint64_t max_input_file_bytes_;
  std::vector<int> taken_;  // descriptors of handed-over inputs
  // Uploaded tars this run unpacked, and when.
  std::vector<std::pair<std::string, absl::Time>> unpacked_tars_;
  BlobStore* store_;
  int unpacked_ = 0;
};

// The idempotency map's key: a key is only the same run for the same caller.
std::string IdempotencyMapKey(const std::string& identity,
                              const std::string& idempotency_key);

// Logs that reading a run's journal skipped damaged records.
void WarnDamagedRecords(const std::string& run_id, uint64_t count);

// The run as its journal tells it: the Run of the start event, finished
// with the result if the last record is one. NOT_FOUND for a free journal;
// DATA_LOSS when the first record is not the start of run `run_id` (of
// any run when empty).
absl::StatusOr<dso::v1::Run> RunFromJournal(const std::string& path,
                                            const std::string& run_id);

// Converts between absl::Time and google.protobuf.Timestamp.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace dso

#endif  // DSO_RUNTIME_RUN_ENTRY_H_
