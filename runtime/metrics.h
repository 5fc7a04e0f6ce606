// AgentMetrics: the agent's Prometheus metrics, rendered in text format
// 0.0.4. Thread-safe; one instance per agent, owned by main and shared by
// the run manager and the services.
#ifndef DSO_RUNTIME_METRICS_H_
#define DSO_RUNTIME_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dso {

class AgentMetrics {
 public:
  void RunFinished(const std::string& step, const std::string& outcome,
                   absl::Duration duration);
  void RunStarted();
  void RunEnded();  // active runs down by one
  void Rejected();  // concurrency limit hit
  void ArtifactBytesIn(uint64_t n);
  void ArtifactBytesOut(uint64_t n);
  // Kinds and decisions other than the launchers' own count as "other", so
  // a sender cannot grow the exposition with labels of its choice.
  void RaspEvent(const std::string& kind, const std::string& decision);
  void RaspEventDropped();  // over a sender's rate

  // The exposition text.
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {
      0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> runs_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> durations_ ABSL_GUARDED_BY(mu_);
  int64_t active_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_in_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_out_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> rasp_
      ABSL_GUARDED_BY(mu_);
  uint64_t rasp_dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string EscapeLabelValue(const std::string& value);

}  // namespace dso

#endif  // DSO_RUNTIME_METRICS_H_
