// MetricsHttpServer: serves GET /metrics (Prometheus text format 0.0.4) on
// a TCP address, from kThreads background threads, each serving one
// connection at a time. A connection has kRequestTime in all to send its
// request, so a client trickling bytes holds one thread for that long and
// the others keep serving.
#ifndef DSO_RUNTIME_METRICS_HTTP_H_
#define DSO_RUNTIME_METRICS_HTTP_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/metrics.h"

namespace dso {

class MetricsHttpServer {
 public:
  // Listens on "host:port" (port 0 picks one). `metrics` is borrowed.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& address, const AgentMetrics* metrics);
  ~MetricsHttpServer();  // stops and joins
  int port() const { return port_; }

  static constexpr int kThreads = 4;
  static constexpr int kRequestMillis = 2000;

 private:
  MetricsHttpServer(int fd, int port, const AgentMetrics* metrics);
  void Serve();
  int fd_;
  int port_;
  const AgentMetrics* metrics_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace dso

#endif  // DSO_RUNTIME_METRICS_HTTP_H_
