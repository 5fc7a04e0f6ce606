#include "dsoctl/connection.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "dsoctl/embedded_agent_client.h"
#include "dsoctl/grpc_agent_client.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/status_macros.h"

namespace dso {

namespace {

std::string DefaultDataDir() {
  if (const char* x = getenv("XDG_DATA_HOME"); x && *x) {
    return absl::StrCat(x, "/dso");
  }
  const char* home = getenv("HOME");
  return absl::StrCat(home ? home : "/tmp", "/.local/share/dso");
}

}  // namespace

absl::StatusOr<std::unique_ptr<AgentConnection>> AgentConnection::Open(
    const ConnectionOptions& options) {
  std::unique_ptr<AgentConnection> c(new AgentConnection());
  if (options.make_client) {
    c->client_ = options.make_client();
    c->target_ = "test";
    c->shares_fs_ = true;
    return c;
  }
  if (options.agent.empty()) {
    ASSIGN_OR_RETURN(
        c->client_,
        EmbeddedAgentClient::Open(options.data_dir.empty() ? DefaultDataDir()
                                                           : options.data_dir));
    c->target_ = "embedded";
    c->embedded_ = true;
    c->shares_fs_ = true;
    return c;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::Channel> channel;
  if (absl::StartsWith(options.agent, "unix:")) {
    std::string path = absl::StartsWith(options.agent, "unix://")
                           ? options.agent.substr(7)
                           : options.agent.substr(5);
    channel = grpc::CreateCustomChannel(
        absl::StrCat("unix:", path), grpc::InsecureChannelCredentials(), args);
    c->target_ = absl::StrCat("unix://", path);
    c->shares_fs_ = true;
  } else {
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (!options.tls_cert.empty() || !options.tls_ca.empty()) {
      if (options.tls_cert.empty() || options.tls_key.empty() ||
          options.tls_ca.empty()) {
        return absl::InvalidArgumentError(
            "TLS to the agent needs all of --tls-cert, --tls-key and --tls-ca "
            "(or DSO_TLS_CERT, DSO_TLS_KEY, DSO_TLS_CA)");
      }
      grpc::SslCredentialsOptions ssl;
      ASSIGN_OR_RETURN(ssl.pem_root_certs,
                       ReadFile(options.tls_ca, FileKind::kKey));
      ASSIGN_OR_RETURN(ssl.pem_private_key,
                       ReadFile(options.tls_key, FileKind::kKey));
      ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                       ReadFile(options.tls_cert, FileKind::kKey));
      creds = grpc::SslCredentials(ssl);
    } else if (options.insecure_tcp) {
      creds = grpc::InsecureChannelCredentials();
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "agent ", options.agent,
          " is a TCP address: give a client certificate with --tls-cert, "
          "--tls-key and --tls-ca (or --insecure-tcp for a loopback test "
          "agent)"));
    }
    channel = grpc::CreateCustomChannel(options.agent, creds, args);
    c->target_ = options.agent;
  }
  c->client_ = std::make_unique<GrpcAgentClient>(channel, c->target_);
  return c;
}

absl::StatusOr<dso::v1::AgentInfo> AgentConnection::Info() {
  if (info_) return *info_;
  ASSIGN_OR_RETURN(dso::v1::AgentInfo info, client_->GetInfo());
  info_ = std::make_unique<dso::v1::AgentInfo>(std::move(info));
  return *info_;
}

}  // namespace dso
