// AgentConnection: how dsoctl reaches an agent — a Unix socket, TCP with
// mutual TLS (or plain TCP to loopback for tests), or embedded: an
// AgentRuntime inside dsoctl served on an in-process channel, so the same
// service code runs either way.
#ifndef DSO_AGENT_DSOCTL_CONNECTION_H_
#define DSO_AGENT_DSOCTL_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/agent_runtime.h"
#include "dso/v1/agent.grpc.pb.h"
#include "dso/v1/artifact.grpc.pb.h"

namespace dso {

struct ConnectionOptions {
  std::string agent;     // "", unix:///path, host:port
  std::string tls_cert;  // client certificate (PEM) for TCP
  std::string tls_key;
  std::string tls_ca;  // CA that signed the agent's certificate
  bool insecure_tcp = false;
  std::string data_dir;  // embedded mode; default $XDG_DATA_HOME/dso
};

class AgentConnection {
 public:
  static absl::StatusOr<std::unique_ptr<AgentConnection>> Open(
      const ConnectionOptions& options);
  ~AgentConnection();

  dso::v1::Agent::Stub& agent() { return *agent_; }
  dso::v1::Artifacts::Stub& artifacts() { return *artifacts_; }
  // "embedded", "unix:///..." or "host:port".
  const std::string& target() const { return target_; }
  bool embedded() const { return runtime_ != nullptr; }
  // On the same host as the agent's file system (Unix socket or embedded).
  bool shares_filesystem() const { return shares_fs_; }
  // The agent's description, fetched once.
  absl::StatusOr<dso::v1::AgentInfo> Info();

 private:
  AgentConnection() = default;
  std::unique_ptr<AgentRuntime> runtime_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<dso::v1::Agent::Stub> agent_;
  std::unique_ptr<dso::v1::Artifacts::Stub> artifacts_;
  std::string target_;
  bool shares_fs_ = false;
  std::unique_ptr<dso::v1::AgentInfo> info_;
};

// absl::Status from a grpc::Status, with a hint for an unreachable agent.
absl::Status FromGrpc(const grpc::Status& status, const std::string& target);

}  // namespace dso

#endif  // DSO_AGENT_DSOCTL_CONNECTION_H_
