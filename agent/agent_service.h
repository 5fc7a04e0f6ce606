// The gRPC services of the agent: Agent (runs) and Artifacts (blob store).
// Both are thin: they map requests onto the RunManager / BlobStore and
// absl::Status onto grpc::Status. They borrow what they are given, which
// must outlive the server.
#ifndef DSO_AGENT_AGENT_SERVICE_H_
#define DSO_AGENT_AGENT_SERVICE_H_

#include <map>
#include <string>

#include "agent/metrics.h"
#include "agent/run_manager.h"
#include "dso/v1/agent.grpc.pb.h"
#include "dso/v1/artifact.grpc.pb.h"
#include "stages/store/blob_store.h"

namespace dso {

// Who is calling: the client certificate's common name (or first SAN) on
// mutual TLS, "local" on a Unix socket, "embedded" in-process, otherwise
// "insecure:<peer>".
std::string PeerIdentity(const grpc::ServerContext& context);

grpc::Status ToGrpc(const absl::Status& status);

class AgentService final : public dso::v1::Agent::Service {
 public:
  AgentService(RunManager* runs, std::map<std::string, std::string> labels)
      : runs_(runs), labels_(std::move(labels)) {}

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
  grpc::Status Stream(grpc::ServerContext* context, const std::string& run_id,
                      uint64_t from_seq,
                      grpc::ServerWriter<dso::v1::Event>* writer);
  RunManager* runs_;
  std::map<std::string, std::string> labels_;
};

class ArtifactService final : public dso::v1::Artifacts::Service {
 public:
  ArtifactService(BlobStore* store, AgentMetrics* metrics, uint64_t max_blob)
      : store_(store), metrics_(metrics), max_blob_(max_blob) {}

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
  BlobStore* store_;
  AgentMetrics* metrics_;
  uint64_t max_blob_;
};

}  // namespace dso

#endif  // DSO_AGENT_AGENT_SERVICE_H_
