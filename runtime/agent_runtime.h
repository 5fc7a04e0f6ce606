// AgentRuntime: everything an agent is — artifact store, step registry, run
// manager, metrics, what it answers (AgentCalls) and the gRPC services —
// wired together from an AgentConfig. The daemon serves it on its
// listeners (Start); dsoctl's embedded mode calls AgentCalls directly,
// without starting a server, so both run the same code.
#ifndef DSO_RUNTIME_AGENT_RUNTIME_H_
#define DSO_RUNTIME_AGENT_RUNTIME_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/agent_calls.h"
#include "runtime/agent_service.h"
#include "runtime/caller.h"
#include "runtime/config.h"
#include "runtime/input_handles.h"
#include "runtime/metrics.h"
#include "runtime/rasp_event_sink.h"
#include "runtime/run_manager.h"
#include "runtime/unix_listener.h"
#include "stages/steps/all_steps.h"
#include "stages/core/step.h"
#include "stages/store/blob_store.h"

namespace dso {

class AgentRuntime {
 public:
  // Opens <data_dir>/store and <data_dir>/runs (recovering interrupted runs).
  static absl::StatusOr<std::unique_ptr<AgentRuntime>> Create(
      const AgentConfig& config);
  ~AgentRuntime();

  // Starts the gRPC server on config.listen (none: in-process only).
  // Returns the bound addresses, with port 0 replaced by the chosen port.
  absl::StatusOr<std::vector<std::string>> Start();
  // The calls, for a client in this process (no Start needed).
  AgentCalls& calls() { return *calls_; }
  // Refuses new runs, lets live ones finish within `grace`, then stops.
  void Shutdown(absl::Duration grace);

  AgentMetrics& metrics() { return metrics_; }
  RunManager& runs() { return *runs_; }

 private:
  explicit AgentRuntime(AgentConfig config)
      : config_(std::move(config)), permissions_(config_.permissions) {}
  AgentConfig config_;
  Permissions permissions_;
  UnixPeers unix_peers_;
  AgentMetrics metrics_;
  std::unique_ptr<BlobStore> store_;
  std::unique_ptr<StepRegistry> steps_;
  std::unique_ptr<InputHandles> handles_;  // outlives the runs using them
  std::unique_ptr<RunManager> runs_;
  std::unique_ptr<AgentCalls> calls_;
  std::unique_ptr<AgentService> agent_service_;
  std::unique_ptr<ArtifactService> artifact_service_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::unique_ptr<UnixListener>> unix_listeners_;
  std::unique_ptr<RaspEventSink> rasp_events_;  // while listening
};

// What the steps are given of the agent's configuration (all_steps.h):
// directories, the loading allowlist (read here), deploy targets, the
// agent's own sockets.
absl::StatusOr<StepsConfig> StepsConfigFor(const AgentConfig& config);

// True for 127.0.0.0/8, ::1 and localhost listen addresses.
bool IsLoopbackAddress(const std::string& host_port);

}  // namespace dso

#endif  // DSO_RUNTIME_AGENT_RUNTIME_H_
