// AgentConnection: how dsoctl reaches an agent — a Unix socket, TCP with
// mutual TLS (or plain TCP to loopback for tests), or embedded: the agent's
// runtime inside dsoctl, called directly. Commands speak to either through
// AgentClient (agent_client.h), so the same service code runs either way.
#ifndef DSO_DSOCTL_CONNECTION_H_
#define DSO_DSOCTL_CONNECTION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/agent.pb.h"
#include "dsoctl/agent_client.h"

namespace dso {

struct ConnectionOptions {
  std::string agent;     // "", unix:///path, host:port
  std::string tls_cert;  // client certificate (PEM) for TCP
  std::string tls_key;
  std::string tls_ca;  // CA that signed the agent's certificate
  bool insecure_tcp = false;
  std::string data_dir;  // embedded mode; default $XDG_DATA_HOME/dso
  // Tests of the commands: the client to speak to instead of an agent (its
  // target is "test", on this machine's file system).
  std::function<std::unique_ptr<AgentClient>()> make_client;
};

class AgentConnection {
 public:
  static absl::StatusOr<std::unique_ptr<AgentConnection>> Open(
      const ConnectionOptions& options);

  AgentClient& client() { return *client_; }
  // "embedded", "unix:///..." or "host:port".
  const std::string& target() const { return target_; }
  bool embedded() const { return embedded_; }
  // On the same host as the agent's file system (Unix socket or embedded).
  bool shares_filesystem() const { return shares_fs_; }
  // The agent's description, fetched once.
  absl::StatusOr<dso::v1::AgentInfo> Info();

 private:
  AgentConnection() = default;
  std::unique_ptr<AgentClient> client_;
  std::string target_;
  bool embedded_ = false;
  bool shares_fs_ = false;
  std::unique_ptr<dso::v1::AgentInfo> info_;
};

}  // namespace dso

#endif  // DSO_DSOCTL_CONNECTION_H_
