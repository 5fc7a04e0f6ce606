#include "dsoctl/embedded_agent_client.h"

#include "runtime/config.h"
#include "stages/core/status_macros.h"

namespace dso {

absl::StatusOr<std::unique_ptr<EmbeddedAgentClient>> EmbeddedAgentClient::Open(
    const std::string& data_dir) {
  AgentConfig config;
  config.data_dir = data_dir;
  config.allowed_roots = {"/"};
  config.store_roots = {"/"};
  // dsoctl runs as its user: that user's credentials go where it says.
  config.credentials = {CredentialBinding{{"*"}, {"*"}}};
  config.max_concurrent_runs = 64;
  ApplyEnvironmentOverrides(config);
  ASSIGN_OR_RETURN(std::unique_ptr<AgentRuntime> runtime,
                   AgentRuntime::Create(config));
  return std::unique_ptr<EmbeddedAgentClient>(
      new EmbeddedAgentClient(std::move(runtime)));
}

EmbeddedAgentClient::EmbeddedAgentClient(std::unique_ptr<AgentRuntime> runtime)
    : runtime_(std::move(runtime)), caller_{"embedded", {"embedded"}} {}

EmbeddedAgentClient::~EmbeddedAgentClient() {
  runtime_->Shutdown(absl::ZeroDuration());
}

AgentCalls::EventSender EmbeddedAgentClient::Sender(
    const EventSink& sink) const {
  return [&sink](const dso::v1::Event& e) {
    sink(e);
    return true;
  };
}

AgentClient::StreamEnd EmbeddedAgentClient::RunStep(
    const dso::v1::RunStepRequest& request, const EventSink& sink) {
  StreamEnd end;
  end.status = runtime_->calls().RunStep(
      caller_, request, absl::InfiniteFuture(), Sender(sink),
      [this] { return stop_.load(); }, &end.refused);
  return end;
}

AgentClient::StreamEnd EmbeddedAgentClient::Attach(
    const dso::v1::AttachRequest& request, const EventSink& sink) {
  StreamEnd end;
  end.status = runtime_->calls().Attach(caller_, request, Sender(sink),
                                        [this] { return stop_.load(); });
  return end;
}

absl::StatusOr<dso::v1::Run> EmbeddedAgentClient::Cancel(
    const dso::v1::CancelRequest& request) {
  return runtime_->calls().Cancel(caller_, request);
}

absl::StatusOr<dso::v1::Run> EmbeddedAgentClient::GetRun(
    const dso::v1::GetRunRequest& request) {
  return runtime_->calls().GetRun(caller_, request);
}

absl::StatusOr<dso::v1::ListRunsResponse> EmbeddedAgentClient::ListRuns(
    const dso::v1::ListRunsRequest& request) {
  return runtime_->calls().ListRuns(caller_, request);
}

absl::StatusOr<dso::v1::AgentInfo> EmbeddedAgentClient::GetInfo() {
  return runtime_->calls().GetInfo(caller_);
}

absl::StatusOr<dso::v1::BlobInfo> EmbeddedAgentClient::Put(
    const PutSource& next) {
  return runtime_->calls().Put(caller_, next, [] { return false; });
}

absl::Status EmbeddedAgentClient::Get(const dso::v1::GetRequest& request,
                                      const ChunkSink& sink) {
  return runtime_->calls().Get(caller_, request, sink, [] { return false; });
}

absl::StatusOr<dso::v1::BlobInfo> EmbeddedAgentClient::Stat(
    const dso::v1::StatRequest& request) {
  return runtime_->calls().Stat(caller_, request);
}

}  // namespace dso
