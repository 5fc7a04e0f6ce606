#include "stages/deploy/health_check.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "stages/net/http.h"

extern char** environ;

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
  std::string port_env = absl::StrCat("PORT=", port);
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) {
    if (!absl::StartsWith(*e, "PORT=")) env.push_back(*e);
  }
  env.push_back(port_env.data());
  env.push_back(nullptr);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", nullptr, &attr,
                       const_cast<char* const*>(argv), env.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("cannot run the health check: ", strerror(rc)));
  }
  int status = 0;
  for (int i = 0; i < 500; ++i) {  // 10 s per attempt
    if (waitpid(pid, &status, WNOHANG) == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return absl::OkStatus();
      }
      return absl::UnavailableError(absl::StrCat(
          "the health check command exited with ",
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
    }
    usleep(20'000);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, &status, 0);
  return absl::UnavailableError("the health check command took over 10 s");
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
