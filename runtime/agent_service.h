// The gRPC services of the agent: Agent (runs) and Artifacts (blob store),
// as thin adapters: each identifies the caller (runtime/caller.h), hands the
// request to AgentCalls (runtime/agent_calls.h: the checks and the work) and
// maps absl::Status onto grpc::Status. They borrow what they are given,
// which must outlive the server.
#ifndef DSO_RUNTIME_AGENT_SERVICE_H_
#define DSO_RUNTIME_AGENT_SERVICE_H_

#include "runtime/agent_calls.h"
#include "runtime/caller.h"
#include "dso/v1/agent.grpc.pb.h"
#include "dso/v1/artifact.grpc.pb.h"

namespace dso {

grpc::Status ToGrpc(const absl::Status& status);

class AgentService final : public dso::v1::Agent::Service {
 public:
  AgentService(AgentCalls* calls, const UnixPeers* peers)
      : calls_(calls), peers_(peers) {}

  grpc::Status RunStep(grpc::ServerContext* context,
                       const dso::v1::RunStepRequest* request,
                       grpc::ServerWriter<dso::v1::Event>* writer) override;
  grpc::Status Attach(grpc::ServerContext* context,
                      const dso::v1::AttachRequest* request,
                      grpc::ServerWriter<dso::v1::Event>* writer) override;
  grpc::Status Cancel(grpc::ServerContext* context,
                      const dso::v1::CancelRequest* request,
                      dso::v1::Run* response) override;
  grpc::Status GetRun(grpc::ServerContext* context,
                      const dso::v1::GetRunRequest* request,
                      dso::v1::Run* response) override;
  grpc::Status ListRuns(grpc::ServerContext* context,
                        const dso::v1::ListRunsRequest* request,
                        dso::v1::ListRunsResponse* response) override;
  grpc::Status GetInfo(grpc::ServerContext* context,
                       const dso::v1::GetInfoRequest* request,
                       dso::v1::AgentInfo* response) override;

 private:
  AgentCalls* calls_;
  const UnixPeers* peers_;
};

class ArtifactService final : public dso::v1::Artifacts::Service {
 public:
  ArtifactService(AgentCalls* calls, const UnixPeers* peers)
      : calls_(calls), peers_(peers) {}

  grpc::Status Put(grpc::ServerContext* context,
                   grpc::ServerReader<dso::v1::PutRequest>* reader,
                   dso::v1::BlobInfo* response) override;
  grpc::Status Get(grpc::ServerContext* context,
                   const dso::v1::GetRequest* request,
                   grpc::ServerWriter<dso::v1::Chunk>* writer) override;
  grpc::Status Stat(grpc::ServerContext* context,
                    const dso::v1::StatRequest* request,
                    dso::v1::BlobInfo* response) override;

 private:
  AgentCalls* calls_;
  const UnixPeers* peers_;
};

}  // namespace dso

#endif  // DSO_RUNTIME_AGENT_SERVICE_H_
