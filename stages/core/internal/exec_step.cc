#include "stages/core/internal/exec_step.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "stages/core/relative_path.h"
#include "stages/core/run_processes.h"

namespace dso {
namespace {

constexpr size_t kReadBytes = 64 << 10;
// A line longer than this is sent in pieces rather than held back.
constexpr size_t kMaxPending = 256 << 10;

// Output of one pipe, cut into events at line ends.
class StreamForwarder {
 public:
  StreamForwarder(int fd, dso::v1::LogLine::Stream stream, StepContext& ctx)
      : fd_(fd), stream_(stream), ctx_(ctx) {}

  int fd() const { return fd_; }
  bool open() const { return fd_ >= 0; }

  // Reads what is available; closes at EOF. Returns false once closed.
  bool ReadSome() {
    char buf[kReadBytes];
    ssize_t n = read(fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) return true;
    if (n < 0 && errno == EAGAIN) return false;
    if (n <= 0) {
      Close();
      return false;
    }
    pending_.append(buf, n);
    size_t cut = pending_.rfind('\n');
    if (cut != std::string::npos) {
      ctx_.Log(stream_, absl::string_view(pending_).substr(0, cut + 1));
      pending_.erase(0, cut + 1);
    } else if (pending_.size() >= kMaxPending) {
      pending_.push_back('\n');
      ctx_.Log(stream_, pending_);
      pending_.clear();
    }
    return true;
  }

  // Reads what is left in the pipe without waiting for writers (the
  // command has exited; a leftover child may still hold the pipe), then
  // closes.
  void Drain() {
    if (!open()) return;
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
    while (open() && ReadSome()) {
    }
    Close();
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (!pending_.empty()) {
      pending_.push_back('\n');
      ctx_.Log(stream_, pending_);
      pending_.clear();
    }
  }

 private:
  int fd_;
  dso::v1::LogLine::Stream stream_;
  StepContext& ctx_;
  std::string pending_;
};

std::vector<std::string> BuildEnv(const dso::v1::ExecParams& params,
                                  const std::string& scratch,
                                  const std::string& marker) {
  std::map<std::string, std::string> env;
  const char* path = getenv("PATH");
  env["PATH"] = path ? path : "/usr/local/bin:/usr/bin:/bin";
  const char* home = getenv("HOME");
  env["HOME"] = home ? home : scratch;
  env["LANG"] = "C.UTF-8";
  env["TMPDIR"] = scratch;
  for (const auto& [k, v] : params.env()) env[k] = v;
  // The run's marker, whatever the request says (run_processes.h).
  size_t eq = marker.find('=');
  env[marker.substr(0, eq)] = marker.substr(eq + 1);
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(absl::StrCat(k, "=", v));
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Finds argv0 in PATH the way execvp would, so a missing command is an
// error the user can read rather than an exit status 127.
absl::StatusOr<std::string> FindExecutable(const std::string& argv0,
                                           const std::string& path_var) {
  auto is_exec = [](const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           access(p.c_str(), X_OK) == 0;
  };
  if (argv0.find('/') != std::string::npos) {
    if (is_exec(argv0)) return argv0;
    return absl::InvalidArgumentError(absl::StrCat(
        "command '", argv0, "' does not exist or is not executable"));
  }
  size_t start = 0;
  while (start <= path_var.size()) {
    size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", argv0);
    if (is_exec(candidate)) return candidate;
    start = end + 1;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "command '", argv0, "' was not found in PATH (", path_var, ")"));
}

int PidfdOpen(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

absl::Status ExecStep::Validate(const dso::v1::RunStepRequest& request) const {
  const auto& p = request.exec();
  if (p.argv().empty() || p.argv(0).empty()) {
    return absl::InvalidArgumentError(
        "exec.argv is empty: give the command to run, e.g. dsoctl exec -- make "
        "test");
  }
  for (const auto& [k, v] : p.env()) {
    if (k.empty() || k.find('=') != std::string::npos ||
        k.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("exec.env has an invalid variable name '", k, "'"));
    }
  }
  for (const auto& c : p.collect()) {
    if (!IsSafeRelativePath(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "exec.collect path '", c,
          "' must be relative to the working directory and must not use '..'"));
    }
  }
  return absl::OkStatus();
}

std::string ExecStep::Describe(const dso::v1::RunStepRequest& request) const {
  return absl::StrCat("exec: ", absl::StrJoin(request.exec().argv(), " "));
}

dso::v1::Result ExecStep::Run(const dso::v1::RunStepRequest& request,
                              StepContext& ctx) const {
  const auto& p = request.exec();
  std::string workdir = ctx.scratch_dir();
  if (p.has_workdir()) {
    auto resolved = ctx.ResolveInput(p.workdir());
    if (!resolved.ok()) return ErrorResult(resolved.status());
    workdir = *resolved;
  }
  // Every process the command starts stays the run's, and dies with it.
  RunProcesses procs(ctx.run_id());
  std::vector<std::string> env =
      BuildEnv(p, ctx.scratch_dir(), procs.MarkerEnv());
  std::string path_var;
  for (const auto& e : env) {
    if (absl::StartsWith(e, "PATH=")) path_var = e.substr(5);
  }
  auto exe = FindExecutable(p.argv(0), path_var);
  if (!exe.ok()) return ErrorResult(exe.status());

  std::vector<std::string> argv(p.argv().begin(), p.argv().end());
  std::vector<char*> argv_c = CStrings(argv);
  std::vector<char*> env_c = CStrings(env);

  int out_pipe[2], err_pipe[2], status_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(status_pipe, O_CLOEXEC) != 0) {
    return ErrorResult(absl::ResourceExhaustedError(
        absl::StrCat("cannot create pipes: ", std::strerror(errno))));
  }
  ctx.Log(dso::v1::LogLine::AGENT,
          absl::StrCat("exec ", *exe, " in ", workdir, " (processes held by ",
                       procs.Describe(), ")\n"));
  pid_t parent = getpid();
  pid_t pid = procs.Fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1],
                   status_pipe[0], status_pipe[1]}) {
      close(fd);
    }
    return ErrorResult(absl::ResourceExhaustedError(
        absl::StrCat("cannot fork: ", std::strerror(err))));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    setpgid(0, 0);
    // If the agent dies (even by kill -9), the command goes with it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    // Nothing else of the agent's reaches the command; the status pipe
    // stays open until the exec.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (chdir(workdir.c_str()) == 0) {
      execve(exe->c_str(), argv_c.data(), env_c.data());
    }
    int err = errno;
    (void)!write(status_pipe[1], &err, sizeof(err));
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent, so the group exists at once
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(status_pipe[1]);

  int exec_errno = 0;
  ssize_t got = read(status_pipe[0], &exec_errno, sizeof(exec_errno));
  close(status_pipe[0]);

  StreamForwarder out(out_pipe[0], dso::v1::LogLine::STDOUT, ctx);
  StreamForwarder err(err_pipe[0], dso::v1::LogLine::STDERR, ctx);
  int pidfd = PidfdOpen(pid);
  // The agent's kill grace is also the most a request may ask for: a
  // command that ignores SIGTERM must not outlive its deadline by a grace
  // of the client's choosing.
  int64_t grace = absl::ToInt64Seconds(ctx.kill_grace());
  if (p.kill_grace_seconds()) {
    grace = std::min<int64_t>(grace, p.kill_grace_seconds());
  }
  bool term_sent = false;
  absl::Time kill_at = absl::InfiniteFuture();
  bool exited = false;
  while (!exited) {
    std::vector<pollfd> fds;
    if (out.open()) fds.push_back({out.fd(), POLLIN, 0});
    if (err.open()) fds.push_back({err.fd(), POLLIN, 0});
    if (!term_sent) fds.push_back({ctx.cancellation().fd(), POLLIN, 0});
    if (pidfd >= 0) fds.push_back({pidfd, POLLIN, 0});
    int timeout_ms = 200;  // without pidfd, waitpid is polled
    if (term_sent) {
      timeout_ms = std::max<int64_t>(
          0, absl::ToInt64Milliseconds(kill_at - absl::Now()));
      timeout_ms = std::min(timeout_ms, 200);
    }
    int n = poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    for (const auto& f : fds) {
      if (f.revents == 0) continue;
      if (f.fd == out.fd()) out.ReadSome();
      if (f.fd == err.fd()) err.ReadSome();
    }
    if (!term_sent && ctx.cancellation().cancelled()) {
      kill(-pid, SIGTERM);
      term_sent = true;
      kill_at = absl::Now() + absl::Seconds(grace);
      ctx.Log(dso::v1::LogLine::AGENT,
              absl::StrCat("cancelling: sent SIGTERM to process group ", pid,
                           ", SIGKILL in ", grace, "s\n"));
    }
    if (term_sent && absl::Now() >= kill_at) {
      kill(-pid, SIGKILL);
      kill_at = absl::InfiniteFuture();
    }
    int wstatus = 0;
    pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) {
      exited = true;
      out.Drain();
      err.Drain();
      // Anything the command left behind goes with it: its group, its
      // cgroup, whatever carries the run's marker.
      kill(-pid, SIGKILL);
      int left = procs.KillAll();
      if (left > 0) {
        ctx.Log(dso::v1::LogLine::AGENT,
                absl::StrCat("killed ", left,
                             " process(es) the command left behind\n"));
      }
      dso::v1::Result result;
      if (WIFEXITED(wstatus)) {
        result.set_exit_code(WEXITSTATUS(wstatus));
      } else if (WIFSIGNALED(wstatus)) {
        result.set_exit_code(128 + WTERMSIG(wstatus));
      }
      if (pidfd >= 0) close(pidfd);
      if (got == sizeof(exec_errno) && exec_errno != 0) {
        return ErrorResult(absl::InvalidArgumentError(
            absl::StrCat("cannot run '", *exe, "' in '", workdir,
                         "': ", std::strerror(exec_errno))));
      }
      for (const auto& c : p.collect()) {
        std::string path = absl::StrCat(workdir, "/", c);
        auto artifact = ctx.PutArtifact(path, c, "application/octet-stream");
        if (!artifact.ok()) {
          ctx.Log(dso::v1::LogLine::AGENT,
                  absl::StrCat("not collected: ", artifact.status().message(),
                               "\n"));
        } else {
          *result.add_artifacts() = *artifact;
        }
      }
      if (ctx.cancellation().cancelled()) {
        result.set_outcome(dso::v1::CANCELLED);
        result.set_message(ctx.cancellation().message());
      } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        result.set_outcome(dso::v1::SUCCEEDED);
        result.set_message("command exited with status 0");
      } else if (WIFSIGNALED(wstatus)) {
        result.set_outcome(dso::v1::POLICY_FAILED);
        result.set_message(absl::StrCat("command was killed by signal ",
                                        WTERMSIG(wstatus), " (",
                                        strsignal(WTERMSIG(wstatus)), ")"));
      } else {
        result.set_outcome(dso::v1::POLICY_FAILED);
        result.set_message(
            absl::StrCat("command exited with status ", WEXITSTATUS(wstatus)));
      }
      return result;
    }
  }
  // poll failed: do not leave the command behind.
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  if (pidfd >= 0) close(pidfd);
  return ErrorResult(absl::InternalError(
      absl::StrCat("waiting for the command failed: ", std::strerror(errno))));
}

}  // namespace dso
