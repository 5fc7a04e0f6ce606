// AgentClient: the calls dsoctl makes of an agent (the Agent and Artifacts
// services of proto/dso/v1), one interface for the two ways it reaches one:
//   - over gRPC, to a dso-agent on a Unix socket or TCP (grpc_agent_client.cc);
//   - embedded: the agent's runtime in dsoctl's own process, called
//     directly — no server, no channel, no serialisation
//     (embedded_agent_client.cc).
// Errors are absl::Status, with a hint when a remote agent is unreachable.
#ifndef DSO_DSOCTL_AGENT_CLIENT_H_
#define DSO_DSOCTL_AGENT_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/agent.pb.h"
#include "dso/v1/artifact.pb.h"

namespace dso {

class AgentClient {
 public:
  virtual ~AgentClient() = default;

  using EventSink = std::function<void(const dso::v1::Event& event)>;
  // How a stream of events ended. `refused`: the agent answered without
  // starting the run (not a lost connection: not to be retried).
  struct StreamEnd {
    absl::Status status;
    bool refused = false;
  };
  // Runs the step and passes every event to `sink` until the result.
  virtual StreamEnd RunStep(const dso::v1::RunStepRequest& request,
                            const EventSink& sink) = 0;
  virtual StreamEnd Attach(const dso::v1::AttachRequest& request,
                           const EventSink& sink) = 0;
  // Ends the stream in progress, from another thread (Ctrl-C).
  virtual void StopStream() = 0;

  virtual absl::StatusOr<dso::v1::Run> Cancel(
      const dso::v1::CancelRequest& request) = 0;
  virtual absl::StatusOr<dso::v1::Run> GetRun(
      const dso::v1::GetRunRequest& request) = 0;
  virtual absl::StatusOr<dso::v1::ListRunsResponse> ListRuns(
      const dso::v1::ListRunsRequest& request) = 0;
  virtual absl::StatusOr<dso::v1::AgentInfo> GetInfo() = 0;

  // Uploads the messages `next` fills (false after the last; the first
  // carries the digest and size).
  using PutSource = std::function<bool(dso::v1::PutRequest* message)>;
  virtual absl::StatusOr<dso::v1::BlobInfo> Put(const PutSource& next) = 0;
  // The blob's chunks to `sink`, which returns false to stop early.
  using ChunkSink = std::function<bool(const dso::v1::Chunk& chunk)>;
  virtual absl::Status Get(const dso::v1::GetRequest& request,
                           const ChunkSink& sink) = 0;
  virtual absl::StatusOr<dso::v1::BlobInfo> Stat(
      const dso::v1::StatRequest& request) = 0;
};

}  // namespace dso

#endif  // DSO_DSOCTL_AGENT_CLIENT_H_
