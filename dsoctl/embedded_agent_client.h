// EmbeddedAgentClient: AgentClient for dsoctl without --agent. The agent's
// runtime (runtime/agent_runtime.h) lives in dsoctl's process and is called
// directly (AgentCalls): runs are recorded in the data dir as a dso-agent
// would record them, but no gRPC server is started and nothing is
// serialised. The caller is the identity "embedded" (runtime/caller.h).
#ifndef DSO_DSOCTL_EMBEDDED_AGENT_CLIENT_H_
#define DSO_DSOCTL_EMBEDDED_AGENT_CLIENT_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "dsoctl/agent_client.h"
#include "runtime/agent_runtime.h"

namespace dso {

class EmbeddedAgentClient final : public AgentClient {
 public:
  // The runtime over `data_dir`, as the user running dsoctl: every local
  // path allowed, the user's own credentials usable everywhere.
  static absl::StatusOr<std::unique_ptr<EmbeddedAgentClient>> Open(
      const std::string& data_dir);
  ~EmbeddedAgentClient() override;

  StreamEnd RunStep(const dso::v1::RunStepRequest& request,
                    const EventSink& sink) override;
  StreamEnd Attach(const dso::v1::AttachRequest& request,
                   const EventSink& sink) override;
  void StopStream() override { stop_ = true; }
  absl::StatusOr<dso::v1::Run> Cancel(
      const dso::v1::CancelRequest& request) override;
  absl::StatusOr<dso::v1::Run> GetRun(
      const dso::v1::GetRunRequest& request) override;
  absl::StatusOr<dso::v1::ListRunsResponse> ListRuns(
      const dso::v1::ListRunsRequest& request) override;
  absl::StatusOr<dso::v1::AgentInfo> GetInfo() override;
  absl::StatusOr<dso::v1::BlobInfo> Put(const PutSource& next) override;
  absl::Status Get(const dso::v1::GetRequest& request,
                   const ChunkSink& sink) override;
  absl::StatusOr<dso::v1::BlobInfo> Stat(
      const dso::v1::StatRequest& request) override;

 private:
  explicit EmbeddedAgentClient(std::unique_ptr<AgentRuntime> runtime);
  AgentCalls::EventSender Sender(const EventSink& sink) const;

  std::unique_ptr<AgentRuntime> runtime_;
  const Caller caller_;
  std::atomic<bool> stop_{false};
};

}  // namespace dso

#endif  // DSO_DSOCTL_EMBEDDED_AGENT_CLIENT_H_
