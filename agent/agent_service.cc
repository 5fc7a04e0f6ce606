#include "agent/agent_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/request_inputs.h"
#include "agent/version.h"
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

// Handlers run in gRPC's threads: an exception escaping one would end the
// agent. A request that makes one (an allocation too large) fails alone.
template <typename F>
grpc::Status Guarded(F&& handler) {
  try {
    return handler();
  } catch (...) {
    return ToGrpc(CurrentExceptionStatus("the request"));
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

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

grpc::Status AgentService::Stream(grpc::ServerContext* context,
                                  const std::string& run_id, uint64_t from_seq,
                                  grpc::ServerWriter<dso::v1::Event>* writer) {
  absl::Status s = runs_->Follow(
      run_id, from_seq,
      [&](const dso::v1::Event& e) {
        // The result goes out with the call's status: one flush less.
        if (e.has_result()) {
          writer->WriteLast(e, grpc::WriteOptions());
          return true;
        }
        return writer->Write(e);
      },
      [&] { return context->IsCancelled(); });
  return ToGrpc(s);
}

absl::StatusOr<dso::v1::Run> AgentService::Visible(
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

grpc::Status AgentService::RunStep(grpc::ServerContext* context,
                                   const dso::v1::RunStepRequest* request,
                                   grpc::ServerWriter<dso::v1::Event>* writer) {
  return Guarded([&] {
    Caller caller = IdentifyCaller(*context, peers_);
    absl::Status allowed =
        CheckStart(*store_, *permissions_, handles_, caller, *request);
    if (allowed.ok() &&
        context->deadline() < std::chrono::system_clock::now()) {
      allowed = absl::DeadlineExceededError(
          "the call's deadline passed before the run could start; nothing "
          "was run");
    }
    absl::StatusOr<std::string> id =
        allowed.ok() ? runs_->Start(*request, caller.identity) : allowed;
    if (!id.ok()) {
      // The agent answered: clients must not mistake this for a lost
      // connection and retry.
      context->AddTrailingMetadata("dso-refused", "1");
      return ToGrpc(id.status());
    }
    return Stream(context, *id, 1, writer);
  });
}

grpc::Status AgentService::Attach(grpc::ServerContext* context,
                                  const dso::v1::AttachRequest* request,
                                  grpc::ServerWriter<dso::v1::Event>* writer) {
  return Guarded([&] {
    auto run = Visible(IdentifyCaller(*context, peers_), request->run_id());
    if (!run.ok()) return ToGrpc(run.status());
    return Stream(context, request->run_id(),
                  std::max<uint64_t>(1, request->from_seq()), writer);
  });
}

grpc::Status AgentService::Cancel(grpc::ServerContext* context,
                                  const dso::v1::CancelRequest* request,
                                  dso::v1::Run* response) {
  return Guarded([&] {
    Caller caller = IdentifyCaller(*context, peers_);
    auto visible = Visible(caller, request->run_id());
    if (!visible.ok()) return ToGrpc(visible.status());
    if (visible->identity() != caller.identity &&
        !permissions_->Has(caller, kRightCancelRuns)) {
      return ToGrpc(absl::PermissionDeniedError(
          absl::StrCat("identity '", caller.identity, "' may not cancel run ",
                       request->run_id(), " of '", visible->identity(),
                       "' (it needs runs:cancel in the agent's permissions)")));
    }
    std::string reason = SanitizeUtf8(
        absl::string_view(request->reason()).substr(0, kMaxReasonBytes));
    auto run = runs_->Cancel(request->run_id(),
                             absl::StrCat(reason.empty() ? "requested" : reason,
                                          " (by ", caller.identity, ")"));
    if (!run.ok()) return ToGrpc(run.status());
    *response = *run;
    return grpc::Status::OK;
  });
}

grpc::Status AgentService::GetRun(grpc::ServerContext* context,
                                  const dso::v1::GetRunRequest* request,
                                  dso::v1::Run* response) {
  return Guarded([&] {
    auto run = Visible(IdentifyCaller(*context, peers_), request->run_id());
    if (!run.ok()) return ToGrpc(run.status());
    *response = *run;
    return grpc::Status::OK;
  });
}

grpc::Status AgentService::ListRuns(grpc::ServerContext* context,
                                    const dso::v1::ListRunsRequest* request,
                                    dso::v1::ListRunsResponse* response) {
  return Guarded([&] {
    Caller caller = IdentifyCaller(*context, peers_);
    bool all = permissions_->Has(caller, kRightReadRuns);
    // The token is the last run of the previous page (its creation time
    // and id), so pages stay right while runs start and are pruned.
    std::optional<dso::v1::Run> after;
    if (!request->page_token().empty()) {
      after = ParsePageToken(request->page_token());
      if (!after) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "page_token is not one this agent returned");
      }
    }
    size_t bytes = 0;
    for (auto& r : runs_->List(0)) {
      if (!all && r.identity() != caller.identity) continue;
      if (after && !NewerRun(*after, r)) continue;
      size_t size = r.ByteSizeLong();
      bool full =
          (request->limit() &&
           static_cast<uint32_t>(response->runs_size()) >= request->limit()) ||
          (response->runs_size() > 0 && bytes + size > kListPageBytes);
      if (full) {
        const dso::v1::Run& last = response->runs(response->runs_size() - 1);
        response->set_next_page_token(PageToken(last));
        break;
      }
      bytes += size;
      *response->add_runs() = std::move(r);
    }
    return grpc::Status::OK;
  });
}

grpc::Status AgentService::GetInfo(grpc::ServerContext* context,
                                   const dso::v1::GetInfoRequest*,
                                   dso::v1::AgentInfo* response) {
  Caller caller = IdentifyCaller(*context, peers_);
  response->set_caller_identity(caller.identity);
  for (auto& r : permissions_->Describe(caller, runs_->step_names())) {
    response->add_caller_rights(std::move(r));
  }
  response->set_version(kDsoVersion);
  for (const auto& [k, v] : labels_) (*response->mutable_labels())[k] = v;
  for (const auto& s : runs_->step_names()) {
    response->add_steps(s);
    response->add_capabilities(absl::StrCat("step:", s));
  }
  response->add_capabilities("artifacts");
  response->add_capabilities("tar-inputs");
  for (const auto& r : runs_->options().allowed_roots) {
    response->add_allowed_roots(r);
  }
  if (handles_ != nullptr) {
    response->set_handle_socket(handles_->path());
  }
  response->set_max_concurrent_runs(runs_->options().max_concurrent_runs);
  response->set_active_runs(runs_->active_runs());
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  response->set_hostname(host);
  return grpc::Status::OK;
}

grpc::Status ArtifactService::Put(
    grpc::ServerContext* context,
    grpc::ServerReader<dso::v1::PutRequest>* reader,
    dso::v1::BlobInfo* response) {
  return Guarded([&] { return PutGuarded(context, reader, response); });
}

grpc::Status ArtifactService::PutGuarded(
    grpc::ServerContext* context,
    grpc::ServerReader<dso::v1::PutRequest>* reader,
    dso::v1::BlobInfo* response) {
  Caller caller = IdentifyCaller(*context, peers_);
  if (!permissions_->Has(caller, kRightPutArtifacts)) {
    return ToGrpc(absl::PermissionDeniedError(absl::StrCat(
        "identity '", caller.identity,
        "' may not upload to this agent (it needs artifacts:put, or a step "
        "other than noop, in the agent's permissions)")));
  }
  dso::v1::PutRequest msg;
  if (!reader->Read(&msg)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "Put received no message; the first must carry the "
                        "digest and size");
  }
  std::string digest = msg.digest();
  auto hex = ParseSha256Digest(digest);
  if (!hex.ok()) return ToGrpc(hex.status());
  if (msg.size() > max_blob_) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("blob of ", msg.size(),
                                     " bytes is larger than this "
                                     "agent accepts (max_blob_bytes: ",
                                     max_blob_, ")"));
  }
  const uint64_t declared = msg.size();
  auto writer = store_->NewWriter(declared);
  if (!writer.ok()) return ToGrpc(writer.status());
  do {
    absl::Status s = (*writer)->Append(msg.data());
    if (!s.ok()) return ToGrpc(s);
  } while (reader->Read(&msg));
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "upload cancelled; nothing was stored");
  }
  auto info = (*writer)->Commit(digest, declared);
  if (!info.ok()) return ToGrpc(info.status());
  if (absl::Status s = store_->AddOwner(info->digest, caller.identity);
      !s.ok()) {
    return ToGrpc(s);
  }
  if (metrics_) metrics_->ArtifactBytesIn(info->size);
  response->set_digest(info->digest);
  response->set_size(info->size);
  return grpc::Status::OK;
}

grpc::Status ArtifactService::Get(grpc::ServerContext* context,
                                  const dso::v1::GetRequest* request,
                                  grpc::ServerWriter<dso::v1::Chunk>* writer) {
  return Guarded([&] {
    absl::Status readable =
        CheckReadable(*store_, *permissions_, IdentifyCaller(*context, peers_),
                      request->digest());
    if (!readable.ok()) return ToGrpc(readable);
    return GetGuarded(context, request, writer);
  });
}

grpc::Status ArtifactService::GetGuarded(
    grpc::ServerContext* context, const dso::v1::GetRequest* request,
    grpc::ServerWriter<dso::v1::Chunk>* writer) {
  auto path = store_->PathOf(request->digest());
  if (!path.ok()) return ToGrpc(path.status());
  int fd = open(path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat("cannot open blob ", request->digest()));
  }
  dso::v1::Chunk chunk;
  std::string* buf = chunk.mutable_data();
  uint64_t sent = 0;
  grpc::Status status = grpc::Status::OK;
  while (!context->IsCancelled()) {
    buf->resize(1 << 20);
    ssize_t n = read(fd, buf->data(), buf->size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status =
          grpc::Status(grpc::StatusCode::INTERNAL,
                       absl::StrCat("cannot read blob ", request->digest()));
      break;
    }
    if (n == 0) break;
    buf->resize(n);
    if (!writer->Write(chunk)) break;
    sent += n;
  }
  close(fd);
  if (metrics_) metrics_->ArtifactBytesOut(sent);
  return status;
}

grpc::Status ArtifactService::Stat(grpc::ServerContext* context,
                                   const dso::v1::StatRequest* request,
                                   dso::v1::BlobInfo* response) {
  return Guarded([&] {
    absl::Status readable =
        CheckReadable(*store_, *permissions_, IdentifyCaller(*context, peers_),
                      request->digest());
    if (!readable.ok()) return ToGrpc(readable);
    auto info = store_->Stat(request->digest());
    if (!info.ok()) return ToGrpc(info.status());
    response->set_digest(info->digest);
    response->set_size(info->size);
    return grpc::Status::OK;
  });
}

}  // namespace dso
