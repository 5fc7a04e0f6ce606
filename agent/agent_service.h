// The gRPC services of the agent: Agent (runs) and Artifacts (blob store).
// Both are thin: they identify the caller (agent/caller.h), check that it
// may do what it asks, map requests onto the RunManager / BlobStore and
// absl::Status onto grpc::Status. A caller sees, follows and cancels only
// its own runs and reads only its own blobs unless granted more; another
// identity's run or blob is NOT_FOUND to it, as one that does not exist.
// No handler lets an exception out. They borrow what they are given, which
// must outlive the server.
#ifndef DSO_AGENT_AGENT_SERVICE_H_
#define DSO_AGENT_AGENT_SERVICE_H_

#include <map>
#include <string>

#include "agent/caller.h"
#include "agent/input_handles.h"
#include "agent/metrics.h"
#include "agent/run_manager.h"
#include "dso/v1/agent.grpc.pb.h"
#include "dso/v1/artifact.grpc.pb.h"
#include "stages/store/blob_store.h"

namespace dso {

grpc::Status ToGrpc(const absl::Status& status);

class AgentService final : public dso::v1::Agent::Service {
 public:
  // `handles` may be null (no Unix socket: no handles taken).
  AgentService(RunManager* runs, const BlobStore* store,
               std::map<std::string, std::string> labels,
               const Permissions* permissions, const UnixPeers* peers,
               InputHandles* handles = nullptr)
      : runs_(runs),
        store_(store),
        labels_(std::move(labels)),
        permissions_(permissions),
        peers_(peers),
        handles_(handles) {}

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
  // The run, if `caller` may see it (its own, or with runs:read).
  absl::StatusOr<dso::v1::Run> Visible(const Caller& caller,
                                       const std::string& run_id) const;
  RunManager* runs_;
  const BlobStore* store_;
  std::map<std::string, std::string> labels_;
  const Permissions* permissions_;
  const UnixPeers* peers_;
  InputHandles* handles_;
};

class ArtifactService final : public dso::v1::Artifacts::Service {
 public:
  ArtifactService(BlobStore* store, AgentMetrics* metrics, uint64_t max_blob,
                  const Permissions* permissions, const UnixPeers* peers)
      : store_(store),
        metrics_(metrics),
        max_blob_(max_blob),
        permissions_(permissions),
        peers_(peers) {}

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
  grpc::Status PutGuarded(grpc::ServerContext* context,
                          grpc::ServerReader<dso::v1::PutRequest>* reader,
                          dso::v1::BlobInfo* response);
  grpc::Status GetGuarded(grpc::ServerContext* context,
                          const dso::v1::GetRequest* request,
                          grpc::ServerWriter<dso::v1::Chunk>* writer);
  BlobStore* store_;
  AgentMetrics* metrics_;
  uint64_t max_blob_;
  const Permissions* permissions_;
  const UnixPeers* peers_;
};

}  // namespace dso

#endif  // DSO_AGENT_AGENT_SERVICE_H_
