#include "runtime/run_entry.h"

#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "runtime/ecs_log.h"
#include "stages/core/atomic_file.h"
#include "stages/core/relative_path.h"
#include "stages/core/status_macros.h"
#include "stages/files/tar_dir.h"

namespace dso {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  int64_t ns = absl::ToUnixNanos(t);
  ts->set_seconds(ns / 1000000000);
  ts->set_nanos(static_cast<int32_t>(ns % 1000000000));
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string IdempotencyMapKey(const std::string& identity,
                              const std::string& idempotency_key) {
  return absl::StrCat(identity, std::string(1, '\0'), idempotency_key);
}

void WarnDamagedRecords(const std::string& run_id, uint64_t count) {
  if (count == 0) return;
  LogWarn(absl::StrCat("run ", run_id, ": journal has ", count,
                       " damaged record(s); they are skipped"),
          {{"dso.run_id", run_id}});
}

void RunEntry::Emit(dso::v1::Event event) {
  absl::MutexLock lock(&mu);
  AppendLocked(event);
}

void RunEntry::AppendLocked(dso::v1::Event& event) {
  if (!journal) return;  // finished
  // A file name or message with invalid UTF-8 (from a tar entry, a scanned
  // tree, a tool's output) would make the event unparseable for every
  // client that lists or follows the run.
  if (event.has_log()) {  // most events: just the text to look at
    if (!IsValidUtf8(event.log().text())) {
      event.mutable_log()->set_text(SanitizeUtf8(event.log().text()));
    }
  } else {
    SanitizeStringFields(event);
  }
  event.set_seq(run.last_seq() + 1);
  event.set_run_id(id);
  SetTimestamp(absl::Now(), event.mutable_time());
  absl::Status s = journal->Append(event);
  if (!s.ok()) {
    if (journal_error.ok()) journal_error = s;
    token.Cancel(CancelReason::kRequested,
                 absl::StrCat("stopped: ", s.message()));
    return;
  }
  run.set_last_seq(event.seq());
  last_seq_hint.store(event.seq(), std::memory_order_release);
  journal_size = journal->size();
  if (recent_complete) {
    if (journal_size > kRecentBytes) {
      DropRecentLocked();
    } else {
      recent.push_back(std::move(event));
    }
  }
  changed.SignalAll();
}

void RunEntry::Publish(const dso::v1::Result& result) {
  absl::MutexLock lock(&mu);
  dso::v1::Event event;
  *event.mutable_result() = result;
  AppendLocked(event);
  closing = std::move(journal);
  run.set_state(dso::v1::FINISHED);
  run.set_outcome(result.outcome());
  *run.mutable_result() = result;
  SetTimestamp(absl::Now(), run.mutable_finished());
  changed.SignalAll();
}

void RunEntry::DropRecentLocked() {
  recent_complete = false;
  std::vector<dso::v1::Event>().swap(recent);
}

void RunEntry::KeepResultOnlyLocked() {
  if (!recent_complete || recent.empty() || !recent.back().has_result()) {
    DropRecentLocked();
    return;
  }
  dso::v1::Event result = std::move(recent.back());
  recent_first = result.seq();
  std::vector<dso::v1::Event>().swap(recent);
  recent.push_back(std::move(result));
}

absl::Status RunEntry::Persist() {
  // Followers already have the result; durability against power loss
  // follows here (a killed agent loses nothing: the bytes are in the page
  // cache).
  absl::Status synced = closing ? closing->Sync() : absl::OkStatus();
  closing.reset();
  return synced;
}

const std::string& RunContext::scratch_dir() const {
  if (!scratch_made_) {
    std::error_code ec;
    std::filesystem::create_directories(scratch_, ec);
    scratch_made_ = true;
  }
  return scratch_;
}

absl::StatusOr<std::string> RunContext::ResolveInput(
    const dso::v1::Input& input) {
  if (input.has_local_path()) {
    const std::string& p = input.local_path();
    std::error_code ec;
    std::string real = std::filesystem::canonical(p, ec).string();
    if (p.empty() || p[0] != '/' || ec) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input path '", p, "' ",
          ec ? absl::StrCat("cannot be resolved on the agent: ", ec.message())
             : std::string("must be absolute")));
    }
    for (const auto& root : allowed_roots_) {
      if (IsUnder(real, root)) return real;
    }
    return absl::PermissionDeniedError(absl::StrCat(
        "input path '", p, "' is outside the agent's allowed roots (",
        allowed_roots_.empty() ? "none configured"
                               : absl::StrJoin(allowed_roots_, ", "),
        "); send it as a tar in the artifact store instead (dsoctl does this "
        "by itself when the path is outside the roots)"));
  }
  if (input.has_handle()) {
    // Read in place through the descriptor the client opened; the run
    // keeps it open until it ends.
    if (handles_ == nullptr) {
      return absl::NotFoundError("this agent takes no input handles");
    }
    std::string identity;
    {
      absl::MutexLock lock(&entry_.mu);
      identity = entry_.run.identity();
    }
    ASSIGN_OR_RETURN(int fd, handles_->Take(input.handle(), identity));
    if (input.handle_name().empty()) {
      taken_.push_back(fd);
      return absl::StrCat("/proc/self/fd/", fd);
    }
    // A single file: a directory holding just it, under its name.
    std::string dest = absl::StrCat(scratch_dir(), "/input-", unpacked_++);
    absl::Status copied =
        CopyHandedFile(fd, dest, input.handle_name(), max_input_file_bytes_);
    close(fd);
    RETURN_IF_ERROR(copied);
    return dest;
  }
  if (input.has_tar_digest()) {
    ASSIGN_OR_RETURN(std::string tar, store_->PathOf(input.tar_digest()));
    std::string dest = absl::StrCat(scratch_dir(), "/input-", unpacked_++);
    std::error_code ec;
    std::filesystem::create_directories(dest, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot create '", dest, "': ", ec.message()));
    }
    Log(dso::v1::LogLine::AGENT,
        absl::StrCat("unpacking input ", input.tar_digest(), "\n"));
    absl::Status s = UnpackTar(tar, dest);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input tar ", input.tar_digest(), " was refused: ", s.message()));
    }
    unpacked_tars_.emplace_back(input.tar_digest(), absl::Now());
    return dest;
  }
  return absl::InvalidArgumentError(
      "input has neither local_path nor tar_digest");
}

RunContext::~RunContext() {
  for (int fd : taken_) close(fd);
  if (unpacked_tars_.empty()) return;
  std::string identity;
  {
    absl::MutexLock lock(&entry_.mu);
    identity = entry_.run.identity();
  }
  // The run has its copy; the upload goes unless it serves someone else.
  for (const auto& [digest, when] : unpacked_tars_) {
    store_->DropIfUnusedSince(digest, when, identity);
  }
}

absl::StatusOr<std::string> RunContext::ResolveAgentPath(
    absl::string_view what, const std::string& path, PathUse use) {
  return use == PathUse::kStore
             ? ResolveBeneathRoots(what, path, store_roots_, "store_roots")
             : ResolveBeneathRoots(what, path, allowed_roots_, "allowed_roots");
}

absl::StatusOr<dso::v1::Artifact> RunContext::PutArtifact(
    const std::string& path, absl::string_view name,
    absl::string_view media_type) {
  // A file of the run's own scratch directory moves into the store; any
  // other (say, collected from the user's directory) is copied.
  bool own = absl::StartsWith(path, scratch_ + "/");
  ASSIGN_OR_RETURN(BlobInfo info,
                   own ? store_->AdoptFile(path) : store_->PutFile(path));
  // Its run's identity may download it; others only with artifacts:read.
  std::string owner;
  {
    absl::MutexLock lock(&entry_.mu);
    owner = entry_.run.identity();
  }
  RETURN_IF_ERROR(store_->AddOwner(info.digest, owner));
  dso::v1::Artifact a;
  a.set_name(std::string(name));
  a.set_digest(info.digest);
  a.set_size(info.size);
  a.set_media_type(std::string(media_type));
  dso::v1::Event e;
  *e.mutable_artifact() = a;
  Emit(std::move(e));
  return a;
}

}  // namespace dso
