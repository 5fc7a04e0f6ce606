// A deployed release's health check: an HTTP GET that must answer 2xx or
// 3xx, or a command (run with sh -c) that must exit 0 — tried every second
// until it passes or the timeout ends, giving up early when the
// application has exited.
#ifndef DSO_STAGES_DEPLOY_HEALTH_CHECK_H_
#define DSO_STAGES_DEPLOY_HEALTH_CHECK_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace dso {

struct HealthCheck {
  std::string check;  // http(s)://... or a command; {port} is replaced
  int port = 0;       // also PORT in the command's environment
  absl::Duration timeout = absl::Seconds(30);
  std::function<bool()> alive;                  // the application still runs
  std::function<bool()> cancelled;              // the run was cancelled
  std::function<void(const std::string&)> log;  // attempt results
};

// OK once healthy; otherwise why not (the last attempt's answer).
absl::Status WaitHealthy(const HealthCheck& check);

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_HEALTH_CHECK_H_
