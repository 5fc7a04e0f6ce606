#include "runtime/agent_service.h"

#include "absl/time/clock.h"

namespace dso {

namespace {

// The response of a unary call, or its error.
template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpc(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

// Events to a server stream; the result goes out with the call's status
// (one flush less).
AgentCalls::EventSender ToWriter(grpc::ServerWriter<dso::v1::Event>* writer) {
  return [writer](const dso::v1::Event& e) {
    if (e.has_result()) {
      writer->WriteLast(e, grpc::WriteOptions());
      return true;
    }
    return writer->Write(e);
  };
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

grpc::Status AgentService::RunStep(grpc::ServerContext* context,
                                   const dso::v1::RunStepRequest* request,
                                   grpc::ServerWriter<dso::v1::Event>* writer) {
  bool refused = false;
  absl::Status s = calls_->RunStep(
      IdentifyCaller(*context, peers_), *request,
      absl::FromChrono(context->deadline()), ToWriter(writer),
      [context] { return context->IsCancelled(); }, &refused);
  // The agent answered: clients must not mistake this for a lost
  // connection and retry.
  if (refused) context->AddTrailingMetadata("dso-refused", "1");
  return ToGrpc(s);
}

grpc::Status AgentService::Attach(grpc::ServerContext* context,
                                  const dso::v1::AttachRequest* request,
                                  grpc::ServerWriter<dso::v1::Event>* writer) {
  return ToGrpc(calls_->Attach(IdentifyCaller(*context, peers_), *request,
                               ToWriter(writer),
                               [context] { return context->IsCancelled(); }));
}

grpc::Status AgentService::Cancel(grpc::ServerContext* context,
                                  const dso::v1::CancelRequest* request,
                                  dso::v1::Run* response) {
  return Answer(calls_->Cancel(IdentifyCaller(*context, peers_), *request),
                response);
}

grpc::Status AgentService::GetRun(grpc::ServerContext* context,
                                  const dso::v1::GetRunRequest* request,
                                  dso::v1::Run* response) {
  return Answer(calls_->GetRun(IdentifyCaller(*context, peers_), *request),
                response);
}

grpc::Status AgentService::ListRuns(grpc::ServerContext* context,
                                    const dso::v1::ListRunsRequest* request,
                                    dso::v1::ListRunsResponse* response) {
  return Answer(calls_->ListRuns(IdentifyCaller(*context, peers_), *request),
                response);
}

grpc::Status AgentService::GetInfo(grpc::ServerContext* context,
                                   const dso::v1::GetInfoRequest*,
                                   dso::v1::AgentInfo* response) {
  *response = calls_->GetInfo(IdentifyCaller(*context, peers_));
  return grpc::Status::OK;
}

grpc::Status ArtifactService::Put(
    grpc::ServerContext* context,
    grpc::ServerReader<dso::v1::PutRequest>* reader,
    dso::v1::BlobInfo* response) {
  return Answer(
      calls_->Put(
          IdentifyCaller(*context, peers_),
          [reader](dso::v1::PutRequest* msg) { return reader->Read(msg); },
          [context] { return context->IsCancelled(); }),
      response);
}

grpc::Status ArtifactService::Get(grpc::ServerContext* context,
                                  const dso::v1::GetRequest* request,
                                  grpc::ServerWriter<dso::v1::Chunk>* writer) {
  return ToGrpc(calls_->Get(
      IdentifyCaller(*context, peers_), *request,
      [writer](const dso::v1::Chunk& chunk) { return writer->Write(chunk); },
      [context] { return context->IsCancelled(); }));
}

grpc::Status ArtifactService::Stat(grpc::ServerContext* context,
                                   const dso::v1::StatRequest* request,
                                   dso::v1::BlobInfo* response) {
  return Answer(calls_->Stat(IdentifyCaller(*context, peers_), *request),
                response);
}

}  // namespace dso
