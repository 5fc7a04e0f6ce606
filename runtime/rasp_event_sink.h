// RaspEventSink: where the RASP launchers (dso-run) of the applications
// this agent deployed report their events — a datagram socket in the data
// dir (<data_dir>/rasp-events.sock). Each event becomes an ECS log line
// (warning when something was blocked) and counts in the metrics
// (dso_rasp_events_total by kind and decision). Owned by the AgentRuntime;
// a thread of its own reads the socket until the sink is destroyed.
#ifndef DSO_RUNTIME_RASP_EVENT_SINK_H_
#define DSO_RUNTIME_RASP_EVENT_SINK_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "runtime/metrics.h"

namespace dso {

class RaspEventSink {
 public:
  static absl::StatusOr<std::unique_ptr<RaspEventSink>> Open(
      const std::string& path, AgentMetrics& metrics);
  ~RaspEventSink();

 private:
  RaspEventSink(std::string path, int fd, int stop_fd, AgentMetrics& metrics);
  void Loop();

  std::string path_;
  int fd_;
  int stop_fd_;  // an eventfd: written to stop the loop
  AgentMetrics& metrics_;
  std::thread thread_;
};

// The socket's path for a data dir.
std::string RaspEventSocketPath(const std::string& data_dir);

}  // namespace dso

#endif  // DSO_RUNTIME_RASP_EVENT_SINK_H_
