// dso-agent: the daemon. See `dso-agent --help` and runtime/config.h.
#include <signal.h>

#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "runtime/agent_runtime.h"
#include "runtime/config.h"
#include "runtime/ecs_log.h"
#include "runtime/metrics_http.h"
#include "runtime/version.h"

int main(int argc, char** argv) {
  // Debian's Abseil checks every lock order at run time; it costs more
  // than the agent's own work on short runs.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{
      "dso-agent: runs DevSecOps pipeline steps for dsoctl, Jenkins "
      "and gRPC clients"};
  std::string config_path, data_dir, log_format = "json", metrics_listen;
  std::vector<std::string> listen;
  bool insecure_tcp = false;
  app.add_option("--config", config_path, "YAML config file")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen,
                 "unix:///path or host:port; repeatable (default "
                 "unix:///run/dso/agent.sock)");
  app.add_option("--data-dir", data_dir,
                 "runs, journals and artifacts (default /var/lib/dso-agent)");
  app.add_flag(
      "--insecure-tcp", insecure_tcp,
      "allow plain TCP without mutual TLS, on loopback addresses only");
  app.add_option("--metrics-listen", metrics_listen,
                 "host:port serving Prometheus /metrics");
  app.add_option("--log-format", log_format, "json (ECS) or text")
      ->check(CLI::IsMember({"json", "text"}));
  app.set_version_flag("--version", dso::kDsoVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  dso::InitLogging(log_format == "json", false);

  dso::AgentConfig config;
  if (!config_path.empty()) {
    auto loaded = dso::LoadAgentConfig(config_path);
    if (!loaded.ok()) {
      dso::LogError(loaded.status().message());
      return 2;
    }
    config = *loaded;
  }
  if (!listen.empty()) config.listen = listen;
  if (config.listen.empty()) config.listen = {"unix:///run/dso/agent.sock"};
  if (!data_dir.empty()) config.data_dir = data_dir;
  dso::ApplyEnvironmentOverrides(config);
  if (insecure_tcp) config.insecure_tcp = true;
  if (!metrics_listen.empty()) config.metrics_listen = metrics_listen;

  // Signals are taken by sigwait below; every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto runtime = dso::AgentRuntime::Create(config);
  if (!runtime.ok()) {
    dso::LogError(runtime.status().message());
    return 3;
  }
  auto bound = (*runtime)->Start();
  if (!bound.ok()) {
    dso::LogError(bound.status().message());
    return bound.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 3;
  }
  std::unique_ptr<dso::MetricsHttpServer> metrics;
  if (!config.metrics_listen.empty()) {
    auto m = dso::MetricsHttpServer::Start(config.metrics_listen,
                                           &(*runtime)->metrics());
    if (!m.ok()) {
      dso::LogError(m.status().message());
      return 3;
    }
    metrics = std::move(*m);
    dso::LogInfo(absl::StrCat("metrics on port ", metrics->port()),
                 {{"dso.metrics_port", std::to_string(metrics->port())}});
  }
  dso::LogInfo(absl::StrCat("dso-agent ", dso::kDsoVersion, " listening on ",
                            absl::StrJoin(*bound, ", ")),
               {{"dso.listen", absl::StrJoin(*bound, ",")},
                {"dso.data_dir", config.data_dir}});

  int sig = 0;
  sigwait(&signals, &sig);
  dso::LogInfo(absl::StrCat("signal ", sig, ": shutting down; live runs get ",
                            absl::FormatDuration(config.shutdown_grace),
                            " to finish"));
  (*runtime)->Shutdown(config.shutdown_grace);
  metrics.reset();
  dso::LogInfo("stopped");
  return 0;
}
