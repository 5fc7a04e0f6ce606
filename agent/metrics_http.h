// MetricsHttpServer: serves GET /metrics (Prometheus text format 0.0.4) on
// a TCP address, from one background thread. Requests are tiny and rare,
// so connections are handled one at a time with a short read timeout.
#ifndef DSO_AGENT_METRICS_HTTP_H_
#define DSO_AGENT_METRICS_HTTP_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "agent/metrics.h"

namespace dso {

class MetricsHttpServer {
 public:
  // Listens on "host:port" (port 0 picks one). `metrics` is borrowed.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& address, const AgentMetrics* metrics);
  ~MetricsHttpServer();  // stops and joins
  int port() const { return port_; }

 private:
  MetricsHttpServer(int fd, int port, const AgentMetrics* metrics);
  void Serve();
  int fd_;
  int port_;
  const AgentMetrics* metrics_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace dso

#endif  // DSO_AGENT_METRICS_HTTP_H_
