#include "runtime/metrics.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace dso {

void AgentMetrics::RunFinished(const std::string& step,
                               const std::string& outcome,
                               absl::Duration duration) {
  absl::MutexLock lock(&mu_);
  ++runs_[{step, outcome}];
  Histogram& h = durations_[step];
  double secs = absl::ToDoubleSeconds(duration);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (secs <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += secs;
}

void AgentMetrics::RunStarted() {
  absl::MutexLock lock(&mu_);
  ++active_;
}

void AgentMetrics::RunEnded() {
  absl::MutexLock lock(&mu_);
  --active_;
}

void AgentMetrics::Rejected() {
  absl::MutexLock lock(&mu_);
  ++rejected_;
}

void AgentMetrics::ArtifactBytesIn(uint64_t n) {
  absl::MutexLock lock(&mu_);
  bytes_in_ += n;
}

void AgentMetrics::ArtifactBytesOut(uint64_t n) {
  absl::MutexLock lock(&mu_);
  bytes_out_ += n;
}

void AgentMetrics::RaspEvent(const std::string& kind,
                             const std::string& decision) {
  static const std::set<std::string> kKinds = {"exec",  "connect", "open",
                                               "chmod", "attr",    "signal",
                                               "user",  "start",   "exit"};
  static const std::set<std::string> kDecisions = {"", "blocked", "allowed"};
  absl::MutexLock lock(&mu_);
  ++rasp_[{kKinds.count(kind) ? kind : "other",
           kDecisions.count(decision) ? decision : "other"}];
}

void AgentMetrics::RaspEventDropped() {
  absl::MutexLock lock(&mu_);
  ++rasp_dropped_;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string AgentMetrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  out += "# HELP dso_runs_total Runs finished, by step and outcome.\n";
  out += "# TYPE dso_runs_total counter\n";
  for (const auto& [key, n] : runs_) {
    absl::StrAppend(&out, "dso_runs_total{step=\"", EscapeLabelValue(key.first),
                    "\",outcome=\"", EscapeLabelValue(key.second), "\"} ", n,
                    "\n");
  }
  out += "# HELP dso_run_duration_seconds Duration of finished runs.\n";
  out += "# TYPE dso_run_duration_seconds histogram\n";
  for (const auto& [step, h] : durations_) {
    std::string label = EscapeLabelValue(step);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "dso_run_duration_seconds_bucket{step=\"", label,
                      "\",le=\"", kBuckets[i], "\"} ", h.counts[i], "\n");
    }
    absl::StrAppend(&out, "dso_run_duration_seconds_bucket{step=\"", label,
                    "\",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, "dso_run_duration_seconds_sum{step=\"", label, "\"} ",
                    h.sum, "\n");
    absl::StrAppend(&out, "dso_run_duration_seconds_count{step=\"", label,
                    "\"} ", h.count, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP dso_active_runs Runs in progress.\n"
                  "# TYPE dso_active_runs gauge\n"
                  "dso_active_runs ",
                  active_, "\n",
                  "# HELP dso_run_rejections_total Runs refused because the "
                  "agent was at its concurrency limit.\n"
                  "# TYPE dso_run_rejections_total counter\n"
                  "dso_run_rejections_total ",
                  rejected_, "\n",
                  "# HELP dso_artifact_bytes_in_total Bytes put into the "
                  "artifact store.\n"
                  "# TYPE dso_artifact_bytes_in_total counter\n"
                  "dso_artifact_bytes_in_total ",
                  bytes_in_, "\n",
                  "# HELP dso_artifact_bytes_out_total Bytes read from the "
                  "artifact store.\n"
                  "# TYPE dso_artifact_bytes_out_total counter\n"
                  "dso_artifact_bytes_out_total ",
                  bytes_out_, "\n");
  out +=
      "# HELP dso_rasp_events_total Events the RASP launchers of deployed "
      "applications reported, by kind and decision.\n";
  out += "# TYPE dso_rasp_events_total counter\n";
  for (const auto& [key, n] : rasp_) {
    absl::StrAppend(&out, "dso_rasp_events_total{kind=\"",
                    EscapeLabelValue(key.first), "\",decision=\"",
                    EscapeLabelValue(key.second), "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP dso_rasp_events_dropped_total RASP events dropped "
                  "because their sender exceeded its rate.\n"
                  "# TYPE dso_rasp_events_dropped_total counter\n"
                  "dso_rasp_events_dropped_total ",
                  rasp_dropped_, "\n");
  return out;
}

}  // namespace dso
