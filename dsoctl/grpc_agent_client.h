// GrpcAgentClient: AgentClient over a gRPC channel to a dso-agent (Unix
// socket, TCP with mutual TLS, plain TCP to a loopback test agent).
#ifndef DSO_DSOCTL_GRPC_AGENT_CLIENT_H_
#define DSO_DSOCTL_GRPC_AGENT_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "dso/v1/agent.grpc.pb.h"
#include "dso/v1/artifact.grpc.pb.h"
#include "dsoctl/agent_client.h"

namespace dso {

// absl::Status from a grpc::Status, with a hint for an unreachable agent.
absl::Status FromGrpc(const grpc::Status& status, const std::string& target);

class GrpcAgentClient final : public AgentClient {
 public:
  // `target`: how the agent is named in errors ("unix:///...", host:port).
  GrpcAgentClient(std::shared_ptr<grpc::Channel> channel, std::string target);

  StreamEnd RunStep(const dso::v1::RunStepRequest& request,
                    const EventSink& sink) override;
  StreamEnd Attach(const dso::v1::AttachRequest& request,
                   const EventSink& sink) override;
  void StopStream() override;
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
  template <typename Reader>
  StreamEnd Drain(grpc::ClientContext& ctx, Reader& reader,
                  const EventSink& sink);
  void SetStream(grpc::ClientContext* ctx);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<dso::v1::Agent::Stub> agent_;
  std::unique_ptr<dso::v1::Artifacts::Stub> artifacts_;
  const std::string target_;
  absl::Mutex mu_;
  grpc::ClientContext* stream_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace dso

#endif  // DSO_DSOCTL_GRPC_AGENT_CLIENT_H_
