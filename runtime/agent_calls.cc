#include "runtime/agent_calls.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/request_inputs.h"
#include "runtime/version.h"
#include "stages/core/exception_status.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/core/step_context.h"

namespace dso {

namespace {

constexpr size_t kMaxReasonBytes = 1024;
// A ListRuns page stays far below any client's message limit (gRPC's
// default is 4 MiB).
constexpr size_t kListPageBytes = 1 << 20;

// "SECONDS.NANOS/ID" of a run: where the next page starts.
std::string PageToken(const dso::v1::Run& run) {
  return absl::StrCat(run.created().seconds(), ".", run.created().nanos(), "/",
                      run.id());
}

// A run carrying just what NewerRun compares; nullopt for a bad token.
std::optional<dso::v1::Run> ParsePageToken(const std::string& token) {
  std::vector<std::string> parts =
      absl::StrSplit(token, absl::MaxSplits('/', 1));
  if (parts.size() != 2) return std::nullopt;
  std::vector<std::string> time = absl::StrSplit(parts[0], '.');
  int64_t seconds;
  int32_t nanos;
  if (time.size() != 2 || !absl::SimpleAtoi(time[0], &seconds) ||
      !absl::SimpleAtoi(time[1], &nanos) || nanos < 0 || nanos > 999999999) {
    return std::nullopt;
  }
  dso::v1::Run run;
  run.mutable_created()->set_seconds(seconds);
  run.mutable_created()->set_nanos(nanos);
  run.set_id(parts[1]);
  return run;
}

// Calls run in gRPC's threads, where an exception escaping would end the
// agent: a request that makes one fails alone.
template <typename F>
auto Guarded(F&& call) -> decltype(call()) {
  try {
    return call();
  } catch (...) {
    return CurrentExceptionStatus("the request");
  }
}

absl::Status NoSuchRun(const std::string& id, const Caller& caller) {
  return absl::NotFoundError(absl::StrCat(
      "no run '", id, "' visible to identity '", caller.identity,
      "' on this agent (it may have been pruned); 'dsoctl runs list' shows "
      "the runs it may see"));
}

// OK if `caller` may read the blob: its own, or with artifacts:read.
absl::Status CheckReadable(const BlobStore& store,
                           const Permissions& permissions, const Caller& caller,
                           const std::string& digest) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  if (permissions.Has(caller, kRightReadArtifacts) ||
      store.IsOwner(digest, caller.identity)) {
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat(
      "blob ", digest, " is not in the agent's artifact store for identity '",
      caller.identity,
      "' (a blob is readable by who uploaded it and by the identities whose "
      "runs produced it)"));
}

// Whether `caller` may start this request: the step, and every uploaded
// input it names (another identity's blob is not an input of one's own).
absl::Status CheckStart(const BlobStore& store, const Permissions& permissions,
                        InputHandles* handles, const Caller& caller,
                        const dso::v1::RunStepRequest& request) {
  RETURN_IF_ERROR(permissions.CheckStep(caller, request.step()));
  absl::Status status;
  ForEachInput(request, [&](const dso::v1::Input& in) {
    if (status.ok() && in.has_tar_digest()) {
      status = CheckReadable(store, permissions, caller, in.tar_digest());
    }
    // A handle is its own identity's, like a blob.
    if (status.ok() && in.has_handle()) {
      status = handles == nullptr
                   ? UnknownInputHandle(in.handle(), caller.identity)
                   : handles->Check(in.handle(), caller.identity);
    }
    if (status.ok() && !in.handle_name().empty()) {
      status = CheckHandleName(in.handle_name());
    }
  });
  return status;
}

}  // namespace

absl::Status AgentCalls::Follow(const std::string& run_id, uint64_t from_seq,
                                const EventSender& send,
                                const Stopped& stopped) {
  return runs_->Follow(run_id, from_seq, send, stopped);
}

absl::StatusOr<dso::v1::Run> AgentCalls::Visible(
    const Caller& caller, const std::string& run_id) const {
  auto run = runs_->Get(run_id);
  if (!run.ok()) {
    if (absl::IsNotFound(run.status())) return NoSuchRun(run_id, caller);
    return run.status();
  }
  if (run->identity() != caller.identity &&
      !permissions_->Has(caller, kRightReadRuns)) {
    return NoSuchRun(run_id, caller);
  }
  return run;
}

absl::Status AgentCalls::RunStep(const Caller& caller,
                                 const dso::v1::RunStepRequest& request,
                                 absl::Time call_deadline,
                                 const EventSender& send,
                                 const Stopped& stopped, bool* refused) {
  *refused = false;
  return Guarded([&]() -> absl::Status {
    absl::Status allowed =
        CheckStart(*store_, *permissions_, handles_, caller, request);
    if (allowed.ok() && call_deadline < absl::Now()) {
      allowed = absl::DeadlineExceededError(
          "the call's deadline passed before the run could start; nothing "
          "was run");
    }
    absl::StatusOr<std::string> id =
        allowed.ok() ? runs_->Start(request, caller.identity) : allowed;
    if (!id.ok()) {
      *refused = true;
      return id.status();
    }
    return Follow(*id, 1, send, stopped);
  });
}

absl::Status AgentCalls::Attach(const Caller& caller,
                                const dso::v1::AttachRequest& request,
                                const EventSender& send,
                                const Stopped& stopped) {
  return Guarded([&]() -> absl::Status {
    RETURN_IF_ERROR(Visible(caller, request.run_id()).status());
    return Follow(request.run_id(), std::max<uint64_t>(1, request.from_seq()),
                  send, stopped);
  });
}

absl::StatusOr<dso::v1::Run> AgentCalls::Cancel(
    const Caller& caller, const dso::v1::CancelRequest& request) {
  return Guarded([&]() -> absl::StatusOr<dso::v1::Run> {
    ASSIGN_OR_RETURN(dso::v1::Run visible, Visible(caller, request.run_id()));
    if (visible.identity() != caller.identity &&
        !permissions_->Has(caller, kRightCancelRuns)) {
      return absl::PermissionDeniedError(
          absl::StrCat("identity '", caller.identity, "' may not cancel run ",
                       request.run_id(), " of '", visible.identity(),
                       "' (it needs runs:cancel in the agent's permissions)"));
    }
    std::string reason = SanitizeUtf8(
        absl::string_view(request.reason()).substr(0, kMaxReasonBytes));
    return runs_->Cancel(request.run_id(),
                         absl::StrCat(reason.empty() ? "requested" : reason,
                                      " (by ", caller.identity, ")"));
  });
}

absl::StatusOr<dso::v1::Run> AgentCalls::GetRun(
    const Caller& caller, const dso::v1::GetRunRequest& request) {
  return Guarded([&] { return Visible(caller, request.run_id()); });
}

absl::StatusOr<dso::v1::ListRunsResponse> AgentCalls::ListRuns(
    const Caller& caller, const dso::v1::ListRunsRequest& request) {
  return Guarded([&]() -> absl::StatusOr<dso::v1::ListRunsResponse> {
    bool all = permissions_->Has(caller, kRightReadRuns);
    // The token is the last run of the previous page (its creation time
    // and id), so pages stay right while runs start and are pruned.
    std::optional<dso::v1::Run> after;
    if (!request.page_token().empty()) {
      after = ParsePageToken(request.page_token());
      if (!after) {
        return absl::InvalidArgumentError(
            "page_token is not one this agent returned");
      }
    }
    dso::v1::ListRunsResponse response;
    size_t bytes = 0;
    for (auto& r : runs_->List(0)) {
      if (!all && r.identity() != caller.identity) continue;
      if (after && !NewerRun(*after, r)) continue;
      size_t size = r.ByteSizeLong();
      bool full =
          (request.limit() &&
           static_cast<uint32_t>(response.runs_size()) >= request.limit()) ||
          (response.runs_size() > 0 && bytes + size > kListPageBytes);
      if (full) {
        const dso::v1::Run& last = response.runs(response.runs_size() - 1);
        response.set_next_page_token(PageToken(last));
        break;
      }
      bytes += size;
      *response.add_runs() = std::move(r);
    }
    return response;
  });
}

dso::v1::AgentInfo AgentCalls::GetInfo(const Caller& caller) {
  dso::v1::AgentInfo response;
  response.set_caller_identity(caller.identity);
  for (auto& r : permissions_->Describe(caller, runs_->step_names())) {
    response.add_caller_rights(std::move(r));
  }
  response.set_version(kDsoVersion);
  for (const auto& [k, v] : options_.labels) {
    (*response.mutable_labels())[k] = v;
  }
  for (const auto& s : runs_->step_names()) {
    response.add_steps(s);
    response.add_capabilities(absl::StrCat("step:", s));
  }
  response.add_capabilities("artifacts");
  response.add_capabilities("tar-inputs");
  for (const auto& r : runs_->options().allowed_roots) {
    response.add_allowed_roots(r);
  }
  if (handles_ != nullptr) response.set_handle_socket(handles_->path());
  response.set_max_concurrent_runs(runs_->options().max_concurrent_runs);
  response.set_active_runs(runs_->active_runs());
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  response.set_hostname(host);
  return response;
}

absl::StatusOr<dso::v1::BlobInfo> AgentCalls::Put(const Caller& caller,
                                                  const PutSource& next,
                                                  const Stopped& stopped) {
  return Guarded([&]() -> absl::StatusOr<dso::v1::BlobInfo> {
    if (!permissions_->Has(caller, kRightPutArtifacts)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "identity '", caller.identity,
          "' may not upload to this agent (it needs artifacts:put, or a step "
          "other than noop, in the agent's permissions)"));
    }
    dso::v1::PutRequest msg;
    if (!next(&msg)) {
      return absl::InvalidArgumentError(
          "Put received no message; the first must carry the digest and "
          "size");
    }
    std::string digest = msg.digest();
    RETURN_IF_ERROR(ParseSha256Digest(digest).status());
    if (msg.size() > options_.max_blob_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("blob of ", msg.size(),
                       " bytes is larger than this agent accepts "
                       "(max_blob_bytes: ",
                       options_.max_blob_bytes, ")"));
    }
    const uint64_t declared = msg.size();
    ASSIGN_OR_RETURN(auto writer, store_->NewWriter(declared));
    do {
      RETURN_IF_ERROR(writer->Append(msg.data()));
    } while (next(&msg));
    if (stopped()) {
      return absl::CancelledError("upload cancelled; nothing was stored");
    }
    ASSIGN_OR_RETURN(auto info, writer->Commit(digest, declared));
    RETURN_IF_ERROR(store_->AddOwner(info.digest, caller.identity));
    if (metrics_) metrics_->ArtifactBytesIn(info.size);
    dso::v1::BlobInfo response;
    response.set_digest(info.digest);
    response.set_size(info.size);
    return response;
  });
}

absl::Status AgentCalls::Get(const Caller& caller,
                             const dso::v1::GetRequest& request,
                             const ChunkSink& write, const Stopped& stopped) {
  return Guarded([&]() -> absl::Status {
    RETURN_IF_ERROR(
        CheckReadable(*store_, *permissions_, caller, request.digest()));
    ASSIGN_OR_RETURN(std::string path, store_->PathOf(request.digest()));
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return absl::InternalError(
          absl::StrCat("cannot open blob ", request.digest()));
    }
    dso::v1::Chunk chunk;
    std::string* buf = chunk.mutable_data();
    uint64_t sent = 0;
    absl::Status status;
    while (!stopped()) {
      buf->resize(1 << 20);
      ssize_t n = read(fd, buf->data(), buf->size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = absl::InternalError(
            absl::StrCat("cannot read blob ", request.digest()));
        break;
      }
      if (n == 0) break;
      buf->resize(n);
      if (!write(chunk)) break;
      sent += n;
    }
    close(fd);
    if (metrics_) metrics_->ArtifactBytesOut(sent);
    return status;
  });
}

absl::StatusOr<dso::v1::BlobInfo> AgentCalls::Stat(
    const Caller& caller, const dso::v1::StatRequest& request) {
  return Guarded([&]() -> absl::StatusOr<dso::v1::BlobInfo> {
    RETURN_IF_ERROR(
        CheckReadable(*store_, *permissions_, caller, request.digest()));
    ASSIGN_OR_RETURN(auto info, store_->Stat(request.digest()));
    dso::v1::BlobInfo response;
    response.set_digest(info.digest);
    response.set_size(info.size);
    return response;
  });
}

}  // namespace dso
