#include "runtime/run_manager.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "runtime/ecs_log.h"
#include "runtime/journal.h"
#include "runtime/request_inputs.h"
#include "runtime/request_limits.h"
#include "runtime/run_entry.h"
#include "stages/core/atomic_file.h"
#include "stages/core/exception_status.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {

namespace fs = std::filesystem;

namespace {

// Runs prune one journal as they end and new ones take one as they start;
// the pool evens out bursts of either.
constexpr size_t kFreeJournals = 64;
// A blob used this recently is never collected: a run may be about to read
// it (an upload that a RunStep names next).
constexpr absl::Duration kBlobGrace = absl::Minutes(10);

// A follower waiting for a run's first events spins this long before it
// sleeps: a short step is done by then, and waking a sleeping thread on
// another CPU costs ~30 us on a VM whose idle vCPUs halt (a condition
// variable ping-pong between two threads: 65 us a round trip there, 11 us
// on one CPU). Only once per stream, and only with a second CPU to run the
// step on.
constexpr absl::Duration kFirstEventSpin = absl::Microseconds(150);

void SpinUntilPast(const std::atomic<uint64_t>& seq, uint64_t next) {
  static const bool multi_cpu = std::thread::hardware_concurrency() > 1;
  if (!multi_cpu) return;
  absl::Time until = absl::Now() + kFirstEventSpin;
  while (seq.load(std::memory_order_acquire) < next && absl::Now() < until) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
}

std::string NewRunId() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrCat(
      absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::UTCTimeZone()), "-",
      absl::Hex(rng() & 0xFFFFFFFFull, absl::kZeroPad8));
}

// Uploaded and handed-over inputs are left out: a retried dsoctl packs the
// workspace again (or hands a new descriptor), and the first attempt may
// already have changed it.
void ClearUploadedInputs(dso::v1::RunStepRequest& request) {
  std::vector<const dso::v1::Input*> uploaded;
  ForEachInput(request, [&](const dso::v1::Input& in) {
    if (in.has_tar_digest() || in.has_handle()) uploaded.push_back(&in);
  });
  // Pointers into `request`, which is not const.
  for (const auto* in : uploaded) {
    const_cast<dso::v1::Input*>(in)->clear_source();
  }
}

std::string RequestDigest(dso::v1::RunStepRequest request) {
  ClearUploadedInputs(request);
  request.clear_deadline_seconds();
  request.clear_secrets();  // no trace of a credential on disk
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  return Sha256Digest(bytes);
}

// A step that throws (std::bad_alloc on a hostile input, or a library's
// exception nobody caught) fails its run, never the agent.
dso::v1::Result RunGuarded(const Step& step,
                           const dso::v1::RunStepRequest& request,
                           StepContext& ctx) {
  try {
    return step.Run(request, ctx);
  } catch (...) {
    return ErrorResult(
        CurrentExceptionStatus(absl::StrCat("step '", step.name(), "'")));
  }
}

// A line for lists and logs, at most kMaxDescription bytes (an argv may
// hold megabytes).
constexpr size_t kMaxDescription = 512;

std::string Describe(const Step& step, const dso::v1::RunStepRequest& request) {
  std::string d = step.Describe(request);
  if (d.size() <= kMaxDescription) return d;
  size_t cut = kMaxDescription;
  // Not inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(d[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(d.substr(0, cut), "...");
}

// Journals beyond what retention keeps (and the free pool) before an
// embedded start reads every run to prune them: at the limit, pruning at
// each start would read all 1,000 journals on every command.
constexpr int kHousekeepingSlack = 64;

// Beside the journals: `.housekeeping`, touched when every run was last read
// and pruned, and `.journals`, a tally of one byte per journal then plus
// one per run an embedded start has begun since (appended; it may only
// overestimate). Its size says whether pruning is due without listing the
// directory, so an embedded start costs the same with 10 or 10,000 runs
// kept.
std::string HousekeepingMarker(const RunManagerOptions& o) {
  return o.data_dir + "/runs/.housekeeping";
}
std::string JournalTally(const RunManagerOptions& o) {
  return o.data_dir + "/runs/.journals";
}

// Whether an embedded start (load_runs_lazily) should read every run now:
// kHousekeepingSlack more journals than retention keeps, or an hour since
// the last time. Two stat calls.
bool HousekeepingDue(const RunManagerOptions& o) {
  struct stat marker, tally;
  if (stat(HousekeepingMarker(o).c_str(), &marker) != 0 ||
      stat(JournalTally(o).c_str(), &tally) != 0 ||
      absl::Now() - absl::FromTimeT(marker.st_mtime) > absl::Hours(1)) {
    return true;
  }
  return tally.st_size > o.retention_max_runs +
                             static_cast<off_t>(kFreeJournals) +
                             kHousekeepingSlack;
}

}  // namespace

RunManager::RunManager(RunManagerOptions options, const StepRegistry* steps,
                       BlobStore* store, AgentMetrics* metrics)
    : options_(std::move(options)),
      steps_(steps),
      store_(store),
      metrics_(metrics),
      free_journals_(options_.data_dir + "/runs", kFreeJournals) {}

absl::StatusOr<std::unique_ptr<RunManager>> RunManager::Create(
    RunManagerOptions options, const StepRegistry* steps, BlobStore* store,
    AgentMetrics* metrics) {
  std::error_code ec;
  fs::create_directories(options.data_dir + "/runs", ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create '", options.data_dir, "/runs': ", ec.message()));
  }
  for (auto* roots : {&options.allowed_roots, &options.store_roots}) {
    for (std::string& r : *roots) {
      std::string canon = fs::weakly_canonical(r, ec).string();
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("root '", r, "' cannot be resolved: ", ec.message()));
      }
      if (canon.size() > 1 && canon.back() == '/') canon.pop_back();
      r = canon;
    }
  }
  std::unique_ptr<RunManager> m(
      new RunManager(std::move(options), steps, store, metrics));
  if (!m->options_.load_runs_lazily || HousekeepingDue(m->options_)) {
    {
      absl::MutexLock lock(&m->recover_mu_);
      RETURN_IF_ERROR(m->Recover());
      m->recovered_ = true;
    }
    m->Housekeep();
  }
  {
    absl::MutexLock lock(&m->mu_);
    m->last_prune_ = m->last_collect_ = absl::Now();
  }
  m->watchdog_ = std::thread([p = m.get()] { p->Watchdog(); });
  return m;
}

RunManager::~RunManager() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::string> RunManager::Start(
    const dso::v1::RunStepRequest& request, const std::string& identity) {
  RETURN_IF_ERROR(CheckRequestLimits(request));
  ASSIGN_OR_RETURN(const Step* step, steps_->Resolve(request));
  const std::string description = Describe(*step, request);
  std::string digest = RequestDigest(request);
  std::string key;
  if (!request.idempotency_key().empty()) {
    key = IdempotencyMapKey(identity, request.idempotency_key());
    EnsureRecovered();  // the run of that key may be an earlier one
  }
  auto entry = std::make_shared<RunEntry>();
  // Taken before the entry is shared, so its path never changes after.
  ASSIGN_OR_RETURN(FreeJournal journal, free_journals_.Take());
  entry->journal_path = journal.path;
  if (options_.load_runs_lazily) {
    // One more journal, perhaps (HousekeepingDue).
    int fd =
        open(JournalTally(options_).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
      (void)!write(fd, ".", 1);
      close(fd);
    }
  }
  auto refuse = [&](absl::Status s) {
    free_journals_.Return(std::move(journal));
    return s;
  };
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return refuse(absl::UnavailableError(
          "the agent is shutting down and accepts no new runs; retry on "
          "another agent or after it restarts"));
    }
    if (!key.empty()) {
      auto it = by_key_.find(key);
      if (it != by_key_.end()) {
        auto existing = runs_.find(it->second);
        if (existing != runs_.end()) {
          absl::MutexLock l(&existing->second->mu);
          if (existing->second->run.request_digest() != digest) {
            return refuse(absl::FailedPreconditionError(absl::StrCat(
                "idempotency key '", request.idempotency_key(),
                "' was already used for a different request (run ", it->second,
                "); use a new key for a new request")));
          }
          free_journals_.Return(std::move(journal));
          return it->second;
        }
      }
    }
    if (static_cast<int>(live_.size()) >= options_.max_concurrent_runs) {
      if (metrics_) metrics_->Rejected();
      return refuse(absl::ResourceExhaustedError(absl::StrCat(
          "the agent is already running ", live_.size(), " of its ",
          options_.max_concurrent_runs,
          " allowed runs; retry later, use another agent, or raise "
          "max_concurrent_runs in its config")));
    }
    do {
      entry->id = NewRunId();
    } while (runs_.count(entry->id));
    entry->base = absl::StrCat(options_.data_dir, "/runs/", entry->id);
    entry->key = key;
    live_[entry->id] = entry;
    ++threads_;
    runs_[entry->id] = entry;
    if (!key.empty()) by_key_[key] = entry->id;
  }
  absl::Time now = absl::Now();
  absl::Duration deadline = request.deadline_seconds()
                                ? absl::Seconds(request.deadline_seconds())
                                : options_.default_deadline;
  deadline = std::min(deadline, options_.max_deadline);
  entry->deadline = now + deadline;
  dso::v1::Event started;
  {
    absl::MutexLock lock(&entry->mu);
    auto& run = entry->run;
    run.set_id(entry->id);
    run.set_step(request.step());
    run.set_state(dso::v1::RUNNING);
    run.set_idempotency_key(request.idempotency_key());
    run.set_identity(identity);
    run.set_request_digest(digest);
    run.set_description(description);
    SetTimestamp(now, run.mutable_created());
    SetTimestamp(now, run.mutable_started());
    SetTimestamp(entry->deadline, run.mutable_deadline());
    entry->journal = JournalWriter::Reuse(journal.path, journal.fd);
    entry->live = true;
    entry->recent_complete = true;
    *started.mutable_started()->mutable_run() = run;
  }
  entry->Emit(std::move(started));
  if (metrics_) metrics_->RunStarted();
  workers_.Submit([this, entry, request, identity, deadline, description] {
    // Logged here, beside the client's first stream write, not before it.
    LogInfo(absl::StrCat("run started: ", description, " (deadline ",
                         absl::FormatDuration(deadline), ")"),
            {{"dso.run_id", entry->id},
             {"dso.step", request.step()},
             {"user.name", identity}});
    Execute(entry, request);
  });
  return entry->id;
}

void RunManager::Execute(std::shared_ptr<RunEntry> entry,
                         dso::v1::RunStepRequest request) {
  const Step* step = steps_->Find(request.step());
  RunContext ctx(*entry, entry->scratch_path(), options_, store_);
  dso::v1::Result result = RunGuarded(*step, request, ctx);
  entry->token.CloseFd();  // the step no longer waits on it

  switch (entry->token.reason()) {
    case CancelReason::kDeadline:
      result.set_outcome(dso::v1::ERROR);
      result.set_error_code(
          static_cast<int>(absl::StatusCode::kDeadlineExceeded));
      result.set_message(entry->token.message());
      break;
    case CancelReason::kRequested:
      result.set_outcome(dso::v1::CANCELLED);
      result.set_message(entry->token.message());
      break;
    case CancelReason::kShutdown:
      result.set_outcome(dso::v1::INTERRUPTED);
      result.set_message(entry->token.message());
      break;
    case CancelReason::kNone:
      break;
  }
  {
    absl::MutexLock lock(&entry->mu);
    if (!entry->journal_error.ok()) {
      result = ErrorResult(absl::ResourceExhaustedError(
          absl::StrCat("the run's journal could not be written: ",
                       entry->journal_error.message())));
    }
  }
  if (result.outcome() == dso::v1::OUTCOME_UNSPECIFIED) {
    result = ErrorResult(absl::InternalError(
        absl::StrCat("step '", request.step(), "' returned no outcome")));
  }
  if (ctx.scratch_made()) {
    std::error_code ec;
    fs::remove_all(entry->scratch_path(), ec);
  }
  entry->Publish(result);
  {
    absl::MutexLock lock(&mu_);
    live_.erase(entry->id);
  }
  if (metrics_) metrics_->RunEnded();
  absl::Status saved = entry->Persist();
  if (!saved.ok()) {
    LogWarn(absl::StrCat("run ", entry->id, ": ", saved.message()));
  }
  absl::Time created;
  {
    absl::MutexLock lock(&entry->mu);
    created = FromTimestamp(entry->run.created());
    entry->live = false;
    entry->KeepResultOnlyLocked();
    entry->changed.SignalAll();
  }
  std::string outcome = dso::v1::Outcome_Name(result.outcome());
  LogInfo(absl::StrCat("run finished: ", outcome, ": ", result.message()),
          {{"dso.run_id", entry->id}, {"dso.step", request.step()}});
  if (metrics_) {
    metrics_->RunFinished(request.step(), outcome, absl::Now() - created);
  }
  {
    absl::MutexLock lock(&mu_);
    finished_.emplace(created, entry->id);
  }
  Prune();
  // Last: once threads_ drops, Shutdown may return and the manager go away.
  absl::MutexLock lock(&mu_);
  --threads_;
  state_changed_.SignalAll();
}

std::shared_ptr<RunEntry> RunManager::FindLoaded(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second;
}

std::shared_ptr<RunEntry> RunManager::Find(const std::string& id) {
  if (auto entry = FindLoaded(id)) return entry;
  EnsureRecovered();
  return FindLoaded(id);
}

void RunManager::EnsureRecovered() {
  absl::MutexLock lock(&recover_mu_);
  if (recovered_) return;
  recovered_ = true;  // once, even when the directory cannot be listed
  if (auto s = Recover(); !s.ok()) LogWarn(std::string(s.message()));
}

void RunManager::Housekeep() {
  Prune();
  CollectBlobs();
  if (!options_.load_runs_lazily) return;
  std::error_code ec;
  size_t journals = 0;
  for (const auto& d :
       fs::directory_iterator(options_.data_dir + "/runs", ec)) {
    journals += d.path().extension() == ".journal";
  }
  (void)WriteFileAtomically(JournalTally(options_), std::string(journals, '.'));
  std::string marker = HousekeepingMarker(options_);
  int fd = open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
  utimensat(AT_FDCWD, marker.c_str(), nullptr, 0);
}

absl::StatusOr<dso::v1::Run> RunManager::Get(const std::string& id) {
  auto entry = Find(id);
  if (entry) {
    RefreshIfForeign(*entry);
    absl::MutexLock lock(&entry->mu);
    if (!entry->pruned_elsewhere) return entry->run;
  }
  return absl::NotFoundError(
      absl::StrCat("no run '", id,
                   "' on this agent (it may have been pruned); "
                   "'dsoctl runs list' shows the runs kept"));
}

bool RunManager::RefreshIfForeign(RunEntry& entry) {
  {
    absl::MutexLock lock(&entry.mu);
    if (entry.live || entry.run.state() != dso::v1::RUNNING ||
        entry.pruned_elsewhere) {
      return false;
    }
  }
  auto run = RunFromJournal(entry.journal_path, entry.id);
  absl::MutexLock lock(&entry.mu);
  if (run.ok()) {
    entry.run = *run;
  } else if (absl::IsNotFound(run.status()) || absl::IsDataLoss(run.status())) {
    // Free, gone, or another run's now: it finished and was pruned there.
    entry.pruned_elsewhere = true;
    return false;
  }
  return entry.run.state() == dso::v1::RUNNING;
}

bool NewerRun(const dso::v1::Run& a, const dso::v1::Run& b) {
  absl::Time ta = FromTimestamp(a.created()), tb = FromTimestamp(b.created());
  return ta != tb ? ta > tb : a.id() > b.id();
}

std::vector<dso::v1::Run> RunManager::List(size_t limit) {
  EnsureRecovered();
  std::vector<std::string> ids;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, e] : runs_) ids.push_back(id);
  }
  std::vector<dso::v1::Run> out;
  for (const auto& id : ids) {
    auto r = Get(id);
    if (r.ok()) out.push_back(*r);
  }
  std::sort(out.begin(), out.end(), NewerRun);
  if (limit && out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<dso::v1::Run> RunManager::Cancel(const std::string& id,
                                                const std::string& reason) {
  auto entry = Find(id);
  if (!entry) return Get(id).status();
  if (RefreshIfForeign(*entry)) {
    return absl::FailedPreconditionError(
        absl::StrCat("run ", id,
                     " is executed by another process sharing this data dir; "
                     "cancel it there"));
  }
  absl::MutexLock lock(&entry->mu);
  if (entry->pruned_elsewhere) {
    return absl::NotFoundError(
        absl::StrCat("run ", id, " was pruned by the process that ran it"));
  }
  if (entry->live) {
    entry->token.Cancel(CancelReason::kRequested,
                        reason.empty() ? "cancelled by request"
                                       : absl::StrCat("cancelled: ", reason));
  }
  return entry->run;
}

absl::Status RunManager::Follow(const std::string& id, uint64_t from_seq,
                                const EventSender& send,
                                const std::function<bool()>& stop) {
  auto entry = Find(id);
  if (!entry) return Get(id).status();
  // While the run executes here, its events come from memory; once they
  // are no longer there, from the journal, after the last one sent.
  uint64_t next = 1;
  std::vector<dso::v1::Event> batch;
  bool spun = false;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&entry->mu);
      if (!spun && entry->live && entry->run.last_seq() < next) {
        spun = true;
        entry->mu.Unlock();
        SpinUntilPast(entry->last_seq_hint, next);
        entry->mu.Lock();
      }
      while (entry->live && entry->recent_complete &&
             entry->run.last_seq() < next && !stop()) {
        entry->changed.WaitWithTimeout(&entry->mu, absl::Milliseconds(200));
      }
      if (!entry->recent_complete || next < entry->recent_first) break;
      if (entry->run.last_seq() < next) {
        if (!entry->live) break;
        return absl::CancelledError("the client went away");
      }
      batch.assign(entry->recent.begin() + (next - entry->recent_first),
                   entry->recent.end());
      next = entry->run.last_seq() + 1;
    }
    for (const auto& event : batch) {
      if (event.seq() < from_seq && !event.has_result()) continue;
      if (!send(event)) return absl::CancelledError("the client went away");
      if (event.has_result()) return absl::OkStatus();
    }
  }
  from_seq = std::max(from_seq, next);
  ASSIGN_OR_RETURN(auto reader, JournalReader::Open(entry->journal_path, id));
  // Damaged records are skipped; the log says so once the reader is done.
  struct ReportDamage {
    const std::string& id;
    const JournalReader& reader;
    ~ReportDamage() { WarnDamagedRecords(id, reader.corrupt_records()); }
  } report_damage{id, *reader};
  uint64_t limit = 0;
  while (true) {
    bool live, running_elsewhere;
    {
      absl::MutexLock lock(&entry->mu);
      while (entry->live && entry->journal_size == limit && !stop()) {
        entry->changed.WaitWithTimeout(&entry->mu, absl::Milliseconds(200));
      }
      live = entry->live;
      running_elsewhere = !live && entry->run.state() == dso::v1::RUNNING;
      // Only a run executing here has unpublished bytes to stay clear of.
      limit = live ? entry->journal_size : UINT64_MAX;
    }
    dso::v1::Event event;
    while (reader->Next(limit, &event)) {
      // The result always goes out: it tells a late follower how it ended.
      if (event.seq() < from_seq && !event.has_result()) continue;
      if (!send(event)) return absl::CancelledError("the client went away");
      if (event.has_result()) return absl::OkStatus();
    }
    if (reader->foreign()) {
      // Pruned while being read; its file now holds a newer run.
      return absl::NotFoundError(
          absl::StrCat("run ", id, " was pruned while being read"));
    }
    if (stop()) return absl::CancelledError("the client went away");
    if (running_elsewhere) {
      absl::SleepFor(absl::Milliseconds(100));
      RefreshIfForeign(*entry);
      absl::MutexLock lock(&entry->mu);
      if (entry->pruned_elsewhere) {
        return absl::NotFoundError(
            absl::StrCat("run ", id, " was pruned by the process that ran it"));
      }
      continue;
    }
    if (!live) {
      // Finished, everything read, and no result in the journal: it could
      // not be written (full disk) or was damaged. The result kept in
      // memory still tells the client how the run ended.
      dso::v1::Event last;
      {
        absl::MutexLock lock(&entry->mu);
        if (entry->run.has_result()) {
          last.set_seq(entry->run.last_seq() + 1);
          last.set_run_id(id);
          *last.mutable_result() = entry->run.result();
        }
      }
      if (last.has_result()) {
        if (!send(last)) {
          return absl::CancelledError("the client went away");
        }
        return absl::OkStatus();
      }
      return absl::DataLossError(
          absl::StrCat("run ", id, ": the journal ends without a result (",
                       reader->corrupt_records(), " damaged records skipped)"));
    }
  }
}

void RunManager::Watchdog() {
  absl::MutexLock lock(&mu_);
  while (!stopped_) {
    state_changed_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
    if (stopped_) break;
    absl::Time now = absl::Now();
    if (now - last_prune_ > absl::Minutes(1)) {
      last_prune_ = now;
      bool collect = now - last_collect_ > absl::Minutes(10);
      if (collect) last_collect_ = now;
      mu_.Unlock();
      EnsureRecovered();
      AdoptForeignFinished();
      Prune();
      if (collect) CollectBlobs();
      mu_.Lock();
    }
    for (const auto& [id, entry] : live_) {
      if (entry->deadline < now && !entry->token.cancelled()) {
        absl::MutexLock l(&entry->mu);
        if (!entry->live) continue;
        entry->token.Cancel(
            CancelReason::kDeadline,
            absl::StrCat(
                "deadline exceeded: the run was stopped after ",
                absl::FormatDuration(entry->deadline -
                                     FromTimestamp(entry->run.started())),
                "; raise --deadline (agent cap: ",
                absl::FormatDuration(options_.max_deadline), ")"));
      }
    }
  }
}

void RunManager::AdoptForeignFinished() {
  std::vector<std::shared_ptr<RunEntry>> running;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, entry] : runs_) {
      absl::MutexLock l(&entry->mu);
      if (!entry->live && entry->run.state() == dso::v1::RUNNING) {
        running.push_back(entry);
      }
    }
  }
  for (const auto& entry : running) {
    if (RefreshIfForeign(*entry)) continue;
    absl::Time created;
    bool gone;
    {
      absl::MutexLock l(&entry->mu);
      created = FromTimestamp(entry->run.created());
      gone = entry->pruned_elsewhere;
    }
    absl::MutexLock lock(&mu_);
    if (!gone) {
      if (runs_.count(entry->id)) finished_.emplace(created, entry->id);
      continue;
    }
    runs_.erase(entry->id);
    auto key = by_key_.find(entry->key);
    if (key != by_key_.end() && key->second == entry->id) by_key_.erase(key);
  }
}

void RunManager::CollectBlobs() {
  if (store_ == nullptr) return;
  BlobStore::Collected c = store_->Collect(options_.retention_max_age,
                                           options_.retention_max_store_bytes,
                                           kBlobGrace, absl::Now());
  if (c.removed > 0) {
    LogInfo(absl::StrCat("artifact store: removed ", c.removed,
                         " unused blobs (", c.freed_bytes, " bytes); ",
                         c.kept_bytes, " bytes kept"));
  }
}

void RunManager::Prune() {
  absl::Time oldest = absl::Now() - options_.retention_max_age;
  while (true) {
    std::shared_ptr<RunEntry> entry;
    {
      absl::MutexLock lock(&mu_);
      auto first = finished_.begin();
      if (first == finished_.end() ||
          (static_cast<int>(finished_.size()) <= options_.retention_max_runs &&
           first->first >= oldest)) {
        return;
      }
      auto it = runs_.find(first->second);
      finished_.erase(first);
      if (it == runs_.end()) continue;
      entry = it->second;
      runs_.erase(it);
      if (!entry->key.empty()) by_key_.erase(entry->key);
    }
    // Its scratch dir went when it ended (or at the next start-up, if the
    // process that ran it died first).
    free_journals_.Recycle(entry->journal_path, entry->id);
  }
}

void RunManager::Shutdown(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    shutting_down_ = true;
    // True when the run threads are gone by `deadline`.
    auto idle_by =
        [this](absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          while (threads_ != 0) {
            if (state_changed_.WaitWithDeadline(&mu_, deadline)) {
              return threads_ == 0;
            }
          }
          return true;
        };
    if (!idle_by(absl::Now() + grace)) {
      for (const auto& [id, entry] : live_) {
        entry->token.Cancel(CancelReason::kShutdown,
                            "the agent shut down before the run finished");
      }
      // Steps get their kill grace to stop, then a margin.
      idle_by(absl::Now() + options_.kill_grace + absl::Seconds(5));
    }
    stopped_ = true;
    state_changed_.SignalAll();
  }
  if (watchdog_.joinable()) watchdog_.join();
}

int RunManager::active_runs() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(live_.size());
}

}  // namespace dso
