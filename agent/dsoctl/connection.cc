#include "agent/dsoctl/connection.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/ecs_log.h"
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

absl::Status FromGrpc(const grpc::Status& status, const std::string& target) {
  if (status.ok()) return absl::OkStatus();
  std::string msg = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    msg = absl::StrCat("agent at ", target, " is unreachable: ", msg,
                       " (is dso-agent running, and is --agent/DSO_AGENT "
                       "right?)");
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), msg);
}

absl::StatusOr<std::unique_ptr<AgentConnection>> AgentConnection::Open(
    const ConnectionOptions& options) {
  std::unique_ptr<AgentConnection> c(new AgentConnection());
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  if (options.agent.empty()) {
    AgentConfig config;
    config.data_dir =
        options.data_dir.empty() ? DefaultDataDir() : options.data_dir;
    config.allowed_roots = {"/"};
    config.store_roots = {"/"};
    // dsoctl runs as its user: that user's credentials go where it says.
    config.credentials = {CredentialBinding{{"*"}, {"*"}}};
    config.max_concurrent_runs = 64;
    ASSIGN_OR_RETURN(c->runtime_, AgentRuntime::Create(config));
    RETURN_IF_ERROR(c->runtime_->Start().status());
    c->channel_ = c->runtime_->InProcessChannel();
    c->target_ = "embedded";
    c->shares_fs_ = true;
  } else if (absl::StartsWith(options.agent, "unix:")) {
    std::string path = absl::StartsWith(options.agent, "unix://")
                           ? options.agent.substr(7)
                           : options.agent.substr(5);
    c->channel_ = grpc::CreateCustomChannel(
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
    c->channel_ = grpc::CreateCustomChannel(options.agent, creds, args);
    c->target_ = options.agent;
  }
  c->agent_ = dso::v1::Agent::NewStub(c->channel_);
  c->artifacts_ = dso::v1::Artifacts::NewStub(c->channel_);
  return c;
}

AgentConnection::~AgentConnection() {
  agent_.reset();
  artifacts_.reset();
  channel_.reset();
  if (runtime_) runtime_->Shutdown(absl::ZeroDuration());
}

absl::StatusOr<dso::v1::AgentInfo> AgentConnection::Info() {
  if (info_) return *info_;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto info = std::make_unique<dso::v1::AgentInfo>();
  RETURN_IF_ERROR(FromGrpc(
      agent_->GetInfo(&ctx, dso::v1::GetInfoRequest(), info.get()), target_));
  info_ = std::move(info);
  return *info_;
}

}  // namespace dso
