#include "agent/agent_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/version.h"
#include "stages/core/sha256.h"

namespace dso {

std::string PeerIdentity(const grpc::ServerContext& context) {
  auto auth = context.auth_context();
  if (auth && auth->IsPeerAuthenticated()) {
    for (const char* prop :
         {"x509_common_name", "x509_subject_alternative_name"}) {
      auto values = auth->FindPropertyValues(prop);
      if (!values.empty()) {
        return std::string(values.front().data(), values.front().size());
      }
    }
  }
  std::string peer = context.peer();
  if (absl::StartsWith(peer, "unix:")) return "local";
  if (absl::StartsWith(peer, "inproc") || peer.empty()) return "embedded";
  return absl::StrCat("insecure:", peer);
}

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

grpc::Status AgentService::RunStep(grpc::ServerContext* context,
                                   const dso::v1::RunStepRequest* request,
                                   grpc::ServerWriter<dso::v1::Event>* writer) {
  auto id = runs_->Start(*request, PeerIdentity(*context));
  if (!id.ok()) {
    // The agent answered: clients must not mistake this for a lost
    // connection and retry.
    context->AddTrailingMetadata("dso-refused", "1");
    return ToGrpc(id.status());
  }
  return Stream(context, *id, 1, writer);
}

grpc::Status AgentService::Attach(grpc::ServerContext* context,
                                  const dso::v1::AttachRequest* request,
                                  grpc::ServerWriter<dso::v1::Event>* writer) {
  return Stream(context, request->run_id(),
                std::max<uint64_t>(1, request->from_seq()), writer);
}

grpc::Status AgentService::Cancel(grpc::ServerContext* context,
                                  const dso::v1::CancelRequest* request,
                                  dso::v1::Run* response) {
  auto run = runs_->Cancel(
      request->run_id(),
      absl::StrCat(request->reason().empty() ? "requested" : request->reason(),
                   " (by ", PeerIdentity(*context), ")"));
  if (!run.ok()) return ToGrpc(run.status());
  *response = *run;
  return grpc::Status::OK;
}

grpc::Status AgentService::GetRun(grpc::ServerContext*,
                                  const dso::v1::GetRunRequest* request,
                                  dso::v1::Run* response) {
  auto run = runs_->Get(request->run_id());
  if (!run.ok()) return ToGrpc(run.status());
  *response = *run;
  return grpc::Status::OK;
}

grpc::Status AgentService::ListRuns(grpc::ServerContext*,
                                    const dso::v1::ListRunsRequest* request,
                                    dso::v1::ListRunsResponse* response) {
  for (auto& r : runs_->List(request->limit())) *response->add_runs() = r;
  return grpc::Status::OK;
}

grpc::Status AgentService::GetInfo(grpc::ServerContext*,
                                   const dso::v1::GetInfoRequest*,
                                   dso::v1::AgentInfo* response) {
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
  if (metrics_) metrics_->ArtifactBytesIn(info->size);
  response->set_digest(info->digest);
  response->set_size(info->size);
  return grpc::Status::OK;
}

grpc::Status ArtifactService::Get(grpc::ServerContext* context,
                                  const dso::v1::GetRequest* request,
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

grpc::Status ArtifactService::Stat(grpc::ServerContext*,
                                   const dso::v1::StatRequest* request,
                                   dso::v1::BlobInfo* response) {
  auto info = store_->Stat(request->digest());
  if (!info.ok()) return ToGrpc(info.status());
  response->set_digest(info->digest);
  response->set_size(info->size);
  return grpc::Status::OK;
}

}  // namespace dso
