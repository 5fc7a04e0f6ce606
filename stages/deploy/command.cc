#include "stages/deploy/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace dso {

extern "C" char** environ;

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         absl::Duration timeout,
                                         const std::vector<std::string>& env) {
  std::vector<char*> args, envp;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (char** e = environ; *e; ++e) {
    bool replaced = false;
    for (const std::string& mine : env) {
      replaced |=
          mine.compare(0, mine.find('=') + 1, *e, strcspn(*e, "=") + 1) == 0;
    }
    if (!replaced) envp.push_back(*e);
  }
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    close_range(3, ~0U, 0);  // the command gets stdin, stdout, stderr only
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  CommandResult result;
  absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    int wait_ms = static_cast<int>(std::max<int64_t>(
        0, absl::ToInt64Milliseconds(deadline - absl::Now())));
    pollfd p{out[0], POLLIN, 0};
    int ready = poll(&p, 1, wait_ms);
    if (ready == 0) {
      timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    if (ready < 0 && errno == EINTR) continue;
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    if (result.output.size() < (64 << 10)) result.output.append(buf, n);
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) {
    return absl::DeadlineExceededError(absl::StrCat(
        argv[0], " took longer than ", absl::FormatDuration(timeout)));
  }
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace dso
