#include "runtime/agent_runtime.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/ecs_log.h"
#include "stages/core/bounded_file.h"
#include "stages/core/status_macros.h"

namespace dso {

namespace {

constexpr int kMaxServerThreads = 512;

// The socket path of a unix:PATH or unix://PATH listen address; nullopt
// for TCP.
std::optional<std::string> UnixSocketPath(const std::string& addr) {
  if (absl::StartsWith(addr, "unix://")) return addr.substr(7);
  if (absl::StartsWith(addr, "unix:")) return addr.substr(5);
  return std::nullopt;
}

}  // namespace

absl::StatusOr<StepsConfig> StepsConfigFor(const AgentConfig& config) {
  StepsConfig steps;
  steps.scan.cache_dir =
      config.cache_dir.empty() ? config.data_dir + "/cache" : config.cache_dir;
  steps.scan.db_dir =
      config.db_dir.empty() ? config.data_dir + "/osv" : config.db_dir;
  if (!config.loading_allowlist.empty()) {
    ASSIGN_OR_RETURN(std::string text,
                     ReadFile(config.loading_allowlist, FileKind::kConfig));
    ASSIGN_OR_RETURN(steps.loading_allowlist,
                     ParseStoreAllowlist(text, config.loading_allowlist));
  }
  ASSIGN_OR_RETURN(
      steps.deploy_targets,
      ParseDeployTargets(config.deploy_targets_yaml, "the agent's config"));
  // What no deployed application may reach: the agent's data directory
  // (its event socket and journals) and its Unix listen sockets.
  steps.deploy_agent.events_socket = RaspEventSocketPath(config.data_dir);
  steps.deploy_agent.protect = {config.data_dir};
  for (const std::string& addr : config.listen) {
    if (auto path = UnixSocketPath(addr)) {
      steps.deploy_agent.protect.push_back(*path);
    }
  }
  steps.deploy_agent.app_users_dir = config.data_dir + "/app-users";
  return steps;
}

bool IsLoopbackAddress(const std::string& host_port) {
  std::string host = host_port.substr(0, host_port.rfind(':'));
  return host == "localhost" || host == "[::1]" ||
         absl::StartsWith(host, "127.");
}

absl::StatusOr<std::unique_ptr<AgentRuntime>> AgentRuntime::Create(
    const AgentConfig& config) {
  std::unique_ptr<AgentRuntime> rt(new AgentRuntime(config));
  // The data dir holds journals (what runs printed), blobs (uploaded
  // workspaces) and caches: the agent's user's alone.
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec || chmod(config.data_dir.c_str(), 0700) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir '", config.data_dir,
                     "' cannot be created or made private (mode 0700)"));
  }
  ASSIGN_OR_RETURN(rt->store_, BlobStore::Open(config.data_dir + "/store"));
  SetFileReadLimits(config.read_limits);
  rt->steps_ = std::make_unique<StepRegistry>();
  ASSIGN_OR_RETURN(StepsConfig steps, StepsConfigFor(config));
  RETURN_IF_ERROR(RegisterAllSteps(*rt->steps_, std::move(steps)));
  RunManagerOptions opts;
  opts.data_dir = config.data_dir;
  opts.max_concurrent_runs = config.max_concurrent_runs;
  opts.default_deadline = config.default_deadline;
  opts.max_deadline = config.max_deadline;
  opts.kill_grace = config.kill_grace;
  opts.retention_max_age = config.retention_max_age;
  opts.retention_max_runs = config.retention_max_runs;
  opts.retention_max_store_bytes = config.retention_max_store_bytes;
  opts.allowed_roots = config.allowed_roots;
  opts.store_roots = config.store_roots;
  opts.credentials = AgentCredentials(config.credentials);
  // Directories local clients hand over, beside the first Unix socket.
  for (const auto& addr : config.listen) {
    std::optional<std::string> path = UnixSocketPath(addr);
    if (!config.input_handles || !path) continue;
    ASSIGN_OR_RETURN(rt->handles_, InputHandles::Listen(*path + ".handles",
                                                        config.socket_mode));
    break;
  }
  opts.handles = rt->handles_.get();
  opts.max_input_file_bytes = config.max_blob_bytes;
  // In process only (dsoctl's embedded mode): a process per command, which
  // reads the runs already kept only when it needs them.
  opts.load_runs_lazily = config.listen.empty();
  ASSIGN_OR_RETURN(rt->runs_,
                   RunManager::Create(opts, rt->steps_.get(), rt->store_.get(),
                                      &rt->metrics_));
  AgentCalls::Options calls;
  calls.labels = config.labels;
  calls.max_blob_bytes = config.max_blob_bytes;
  rt->calls_ = std::make_unique<AgentCalls>(
      rt->runs_.get(), rt->store_.get(), &rt->permissions_, rt->handles_.get(),
      &rt->metrics_, std::move(calls));
  rt->agent_service_ =
      std::make_unique<AgentService>(rt->calls_.get(), &rt->unix_peers_);
  rt->artifact_service_ =
      std::make_unique<ArtifactService>(rt->calls_.get(), &rt->unix_peers_);
  return rt;
}

AgentRuntime::~AgentRuntime() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::vector<std::string>> AgentRuntime::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Every streaming call holds a thread of the sync server: bound them, so
  // a flood of followers gets RESOURCE_EXHAUSTED rather than the agent
  // running out of threads.
  grpc::ResourceQuota quota("dso-agent");
  quota.SetMaxThreads(kMaxServerThreads);
  builder.SetResourceQuota(quota);
  // Idle pollers wake this often; shutdown waits for them (default: 10 s).
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::CQ_TIMEOUT_MSEC, 200);
  // Two threads always wait for calls (gRPC's default is one): a call that
  // arrives while the other is busy does not wait for a thread to wake.
  // And no bandwidth-delay probes: each is a ping the transport sends and
  // answers around a call's data, for windows that matter on long links,
  // not on a build node's socket. noop p50 on disk 237-321 us against
  // 304-348 us with gRPC's defaults (A/B interleaved, 2026-11-27).
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 3);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.SetMaxReceiveMessageSize(config_.max_message_bytes);
  builder.SetMaxSendMessageSize(config_.max_message_bytes);
  builder.RegisterService(agent_service_.get());
  builder.RegisterService(artifact_service_.get());

  std::shared_ptr<grpc::ServerCredentials> tls;
  if (config_.tls.enabled()) {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ASSIGN_OR_RETURN(ssl.pem_root_certs,
                     ReadFile(config_.tls.client_ca, FileKind::kKey));
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    ASSIGN_OR_RETURN(pair.private_key,
                     ReadFile(config_.tls.key, FileKind::kKey));
    ASSIGN_OR_RETURN(pair.cert_chain,
                     ReadFile(config_.tls.cert, FileKind::kKey));
    ssl.pem_key_cert_pairs.push_back(pair);
    tls = grpc::SslServerCredentials(ssl);
  }
  std::vector<std::pair<std::string, std::unique_ptr<int>>> tcp;
  for (const auto& addr : config_.listen) {
    if (std::optional<std::string> path = UnixSocketPath(addr)) {
      ASSIGN_OR_RETURN(auto listener,
                       UnixListener::Listen(*path, config_.socket_mode));
      unix_listeners_.push_back(std::move(listener));
      continue;
    }
    std::shared_ptr<grpc::ServerCredentials> creds = tls;
    if (!creds) {
      if (!config_.insecure_tcp || !IsLoopbackAddress(addr)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "TCP listener '", addr,
            "' needs mutual TLS (tls: {cert, key, client_ca} in the config); "
            "plain TCP is allowed only with --insecure-tcp on a loopback "
            "address"));
      }
      creds = grpc::InsecureServerCredentials();
    }
    auto port = std::make_unique<int>(0);
    builder.AddListeningPort(addr, creds, port.get());
    tcp.emplace_back(addr, std::move(port));
  }
  server_ = builder.BuildAndStart();
  if (!server_) {
    return absl::UnavailableError(
        "the gRPC server could not start: check that the listen addresses "
        "are free and valid (see the log above)");
  }
  if (!config_.listen.empty()) {
    auto sink =
        RaspEventSink::Open(RaspEventSocketPath(config_.data_dir), metrics_);
    if (sink.ok()) {
      rasp_events_ = *std::move(sink);
    } else {  // deployments still log their events in their directories
      LogWarn(sink.status().message());
    }
  }
  std::vector<std::string> bound;
  for (const auto& listener : unix_listeners_) {
    listener->Serve(server_.get(), &unix_peers_);
    bound.push_back(absl::StrCat("unix://", listener->path()));
  }
  for (const auto& [addr, port] : tcp) {
    if (*port == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on '", addr, "' (in use or invalid)"));
    }
    bound.push_back(absl::StrCat(addr.substr(0, addr.rfind(':')), ":", *port));
  }
  return bound;
}

void AgentRuntime::Shutdown(absl::Duration grace) {
  if (runs_) runs_->Shutdown(grace);
  // Clients may attach to the runs until here; then nothing new reaches
  // the server before it stops.
  for (auto& listener : unix_listeners_) listener->Stop();
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
    server_->Wait();
    server_.reset();
  }
}

}  // namespace dso
