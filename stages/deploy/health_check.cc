#include "stages/deploy/health_check.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "stages/deploy/command.h"
#include "stages/net/http.h"

namespace dso {
namespace {

absl::Status TryHttp(const std::string& url) {
  HttpRequest request;
  request.url = url;
  request.timeout = absl::Seconds(5);
  auto response = HttpPerform(request, "the health check " + url);
  if (!response.ok()) return response.status();
  if (response->status >= 200 && response->status < 400) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(
      absl::StrCat("the health check ", url, " answered ", response->status));
}

absl::Status TryCommand(const std::string& command, int port) {
  auto run = RunCommand({"/bin/sh", "-c", command}, absl::Seconds(10),
                        {absl::StrCat("PORT=", port)});
  if (!run.ok()) return absl::UnavailableError(run.status().message());
  if (run->exit_code == 0) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat("the health check command exited with ", run->exit_code));
}

}  // namespace

absl::Status WaitHealthy(const HealthCheck& check) {
  std::string what =
      absl::StrReplaceAll(check.check, {{"{port}", absl::StrCat(check.port)}});
  bool http =
      absl::StartsWith(what, "http://") || absl::StartsWith(what, "https://");
  absl::Time deadline = absl::Now() + check.timeout;
  absl::Status last = absl::UnavailableError("no health check attempt made");
  for (int attempt = 1;; ++attempt) {
    if (check.alive && !check.alive()) {
      return absl::UnavailableError(
          absl::StrCat("the application exited (", last.message(), ")"));
    }
    last = http ? TryHttp(what) : TryCommand(what, check.port);
    if (check.log) {
      check.log(absl::StrCat("health check ", attempt, ": ",
                             last.ok() ? "passed" : last.message()));
    }
    if (last.ok()) return last;
    if (absl::Now() + absl::Seconds(1) > deadline ||
        (check.cancelled && check.cancelled())) {
      return absl::DeadlineExceededError(absl::StrCat(
          "not healthy within ", absl::FormatDuration(check.timeout), ": ",
          last.message()));
    }
    absl::SleepFor(absl::Seconds(1));
  }
}

}  // namespace dso
