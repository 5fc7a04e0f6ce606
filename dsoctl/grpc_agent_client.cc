#include "dsoctl/grpc_agent_client.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace dso {

namespace {

// Every call but a run's stream (bounded by the run's own deadline).
constexpr std::chrono::seconds kUnaryDeadline(30);

// One unary call of `stub`, under kUnaryDeadline.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Unary(
    Stub& stub,
    grpc::Status (Stub::*call)(grpc::ClientContext*, const Request&, Response*),
    const Request& request, const std::string& target) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kUnaryDeadline);
  Response response;
  grpc::Status st = (stub.*call)(&ctx, request, &response);
  if (!st.ok()) return FromGrpc(st, target);
  return response;
}

}  // namespace

absl::Status FromGrpc(const grpc::Status& status, const std::string& target) {
  if (status.ok()) return absl::OkStatus();
  std::string msg = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    msg = absl::StrCat("agent at ", target, " is unreachable: ", msg,
                       " (is dso-agent running, and is --agent/DSO_AGENT "
                       "right?)");
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), msg);
}

GrpcAgentClient::GrpcAgentClient(std::shared_ptr<grpc::Channel> channel,
                                 std::string target)
    : channel_(std::move(channel)),
      agent_(dso::v1::Agent::NewStub(channel_)),
      artifacts_(dso::v1::Artifacts::NewStub(channel_)),
      target_(std::move(target)) {}

void GrpcAgentClient::SetStream(grpc::ClientContext* ctx) {
  absl::MutexLock lock(&mu_);
  stream_ = ctx;
}

void GrpcAgentClient::StopStream() {
  absl::MutexLock lock(&mu_);
  if (stream_) stream_->TryCancel();
}

template <typename Reader>
AgentClient::StreamEnd GrpcAgentClient::Drain(grpc::ClientContext& ctx,
                                              Reader& reader,
                                              const EventSink& sink) {
  dso::v1::Event e;
  while (reader->Read(&e)) {
    sink(e);
    if (e.has_result()) break;
  }
  grpc::Status st = reader->Finish();
  SetStream(nullptr);
  StreamEnd end;
  end.refused = ctx.GetServerTrailingMetadata().count("dso-refused") > 0;
  end.status = FromGrpc(st, target_);  // CANCELLED stays apart from UNAVAILABLE
  return end;
}

AgentClient::StreamEnd GrpcAgentClient::RunStep(
    const dso::v1::RunStepRequest& request, const EventSink& sink) {
  grpc::ClientContext ctx;
  SetStream(&ctx);
  auto reader = agent_->RunStep(&ctx, request);
  return Drain(ctx, reader, sink);
}

AgentClient::StreamEnd GrpcAgentClient::Attach(
    const dso::v1::AttachRequest& request, const EventSink& sink) {
  grpc::ClientContext ctx;
  SetStream(&ctx);
  auto reader = agent_->Attach(&ctx, request);
  return Drain(ctx, reader, sink);
}

absl::StatusOr<dso::v1::Run> GrpcAgentClient::Cancel(
    const dso::v1::CancelRequest& request) {
  return Unary(*agent_, &dso::v1::Agent::Stub::Cancel, request, target_);
}

absl::StatusOr<dso::v1::Run> GrpcAgentClient::GetRun(
    const dso::v1::GetRunRequest& request) {
  return Unary(*agent_, &dso::v1::Agent::Stub::GetRun, request, target_);
}

absl::StatusOr<dso::v1::ListRunsResponse> GrpcAgentClient::ListRuns(
    const dso::v1::ListRunsRequest& request) {
  return Unary(*agent_, &dso::v1::Agent::Stub::ListRuns, request, target_);
}

absl::StatusOr<dso::v1::AgentInfo> GrpcAgentClient::GetInfo() {
  return Unary(*agent_, &dso::v1::Agent::Stub::GetInfo,
               dso::v1::GetInfoRequest(), target_);
}

absl::StatusOr<dso::v1::BlobInfo> GrpcAgentClient::Put(const PutSource& next) {
  grpc::ClientContext ctx;
  dso::v1::BlobInfo info;
  auto writer = artifacts_->Put(&ctx, &info);
  dso::v1::PutRequest msg;
  while (next(&msg)) {
    if (!writer->Write(msg)) break;  // the agent ended early: see Finish
  }
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) return FromGrpc(st, target_);
  return info;
}

absl::Status GrpcAgentClient::Get(const dso::v1::GetRequest& request,
                                  const ChunkSink& sink) {
  grpc::ClientContext ctx;
  auto reader = artifacts_->Get(&ctx, request);
  dso::v1::Chunk chunk;
  while (reader->Read(&chunk)) {
    if (!sink(chunk)) {
      ctx.TryCancel();
      break;
    }
  }
  return FromGrpc(reader->Finish(), target_);
}

absl::StatusOr<dso::v1::BlobInfo> GrpcAgentClient::Stat(
    const dso::v1::StatRequest& request) {
  return Unary(*artifacts_, &dso::v1::Artifacts::Stub::Stat, request, target_);
}

}  // namespace dso
