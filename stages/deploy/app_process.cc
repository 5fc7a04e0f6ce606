#include "stages/deploy/app_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/rasp/executable.h"

namespace dso {
namespace {

bool Executable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Whether `pid` is a dso-run (the pid file could name a recycled pid).
bool IsDsoRun(pid_t pid) {
  std::string cmdline = Slurp(absl::StrCat("/proc/", pid, "/cmdline"));
  std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return absl::EndsWith(argv0, "dso-run");
}

}  // namespace

std::string AppSpecToJson(const AppSpec& spec) {
  nlohmann::ordered_json j;
  j["argv"] = spec.argv;
  j["env"] = spec.env;
  j["cwd"] = spec.cwd;
  j["rasp_policy"] = spec.rasp_policy;
  j["user"] = spec.user;
  j["deployment"] = spec.deployment;
  j["port"] = spec.port;
  return j.dump(2);
}

absl::StatusOr<AppSpec> AppSpecFromJson(const std::string& json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError("a release's start record is not JSON");
  }
  AppSpec spec;
  try {
    spec.argv = j.at("argv").get<std::vector<std::string>>();
    spec.env = j.at("env").get<std::vector<std::string>>();
    spec.cwd = j.at("cwd").get<std::string>();
    spec.rasp_policy = j.at("rasp_policy").get<std::string>();
    spec.user = j.value("user", "");
    spec.deployment = j.value("deployment", "");
    spec.port = j.value("port", 0);
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(
        absl::StrCat("a release's start record is incomplete: ", e.what()));
  }
  return spec;
}

absl::StatusOr<std::string> FindDsoRun() {
  if (const char* env = getenv("DSO_RUN"); env && *env) {
    if (Executable(env)) return std::string(env);
    return absl::NotFoundError(
        absl::StrCat("DSO_RUN=", env, " is not an executable"));
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n > 0) {
    self[n] = '\0';
    std::string dir(self, strrchr(self, '/') - self);
    if (Executable(dir + "/dso-run")) return dir + "/dso-run";
    for (int up = 0; up < 3 && !dir.empty(); ++up) {
      dir = dir.substr(0, dir.rfind('/'));
      std::string candidate = dir + "/stages/rasp/dso-run";
      if (Executable(candidate)) return candidate;
    }
  }
  if (auto found = FindExecutable("dso-run"); found.ok()) return *found;
  return absl::NotFoundError(
      "cannot find dso-run, the RASP launcher (install the dso-agent package "
      "or set DSO_RUN)");
}

std::string LogTail(const std::string& path, int lines) {
  std::vector<std::string> all = absl::StrSplit(Slurp(path), '\n');
  while (!all.empty() && all.back().empty()) all.pop_back();
  size_t from =
      all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  std::string out;
  for (size_t i = from; i < all.size(); ++i)
    absl::StrAppend(&out, all[i], "\n");
  return out;
}

absl::StatusOr<pid_t> StartApp(const AppSpec& spec, const AppPaths& paths) {
  std::vector<std::string> args = {
      paths.dso_run,   "--policy",  spec.rasp_policy, "--events",
      paths.events,    "--pidfile", paths.pidfile,    "--deployment",
      spec.deployment, "--base",    spec.cwd};
  if (!paths.agent_socket.empty()) {
    args.push_back("--agent-socket");
    args.push_back(paths.agent_socket);
  }
  for (const std::string& path : paths.protect) {
    args.push_back("--protect");
    args.push_back(path);
  }
  for (const std::string& path : paths.hand_over) {
    args.push_back("--hand-over");
    args.push_back(path);
  }
  if (!spec.user.empty()) {
    args.push_back("--user");
    args.push_back(spec.user);
  }
  args.push_back("--");
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  std::vector<char*> argv, envp;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  unlink(paths.pidfile.c_str());
  int log =
      open(paths.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (log < 0) {
    return absl::InternalError(
        absl::StrCat("opening ", paths.log, ": ", strerror(errno)));
  }
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    close(log);
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  // Twice forked: the application is no child of ours to reap, and lives
  // in its own session. Between fork and exec only async-signal-safe calls.
  pid_t child = fork();
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    setpgid(0, 0);  // a group of its own, for StopApp's SIGKILL
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // nothing of ours leaks in
    if (chdir(spec.cwd.c_str()) == 0) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execve(argv[0], argv.data(), envp.data());
    }
    int err = errno;
    ssize_t ignored = write(report[1], &err, sizeof(err));
    (void)ignored;
    _exit(127);
  }
  close(report[1]);
  close(log);
  if (child < 0) {
    close(report[0]);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  waitpid(child, nullptr, 0);
  int err = 0;
  ssize_t got = read(report[0], &err, sizeof(err));
  close(report[0]);
  if (got == sizeof(err)) {
    return absl::InternalError(absl::StrCat("starting ", paths.dso_run, " in ",
                                            spec.cwd, ": ", strerror(err)));
  }
  // dso-run writes its pid file once the policy loaded and the program is
  // about to start.
  for (int i = 0; i < 200; ++i) {
    if (pid_t pid = RunningApp(paths.pidfile)) return pid;
    usleep(25'000);
  }
  std::string tail = LogTail(paths.log, 1);
  return absl::FailedPreconditionError(
      absl::StrCat("the application did not start (", paths.log,
                   " ends: ", absl::StripTrailingAsciiWhitespace(tail), ")"));
}

pid_t RunningApp(const std::string& pidfile) {
  std::string text = Slurp(pidfile);
  int pid = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &pid) || pid <= 1) {
    return 0;
  }
  if (kill(pid, 0) != 0 && errno == ESRCH) return 0;
  return IsDsoRun(pid) ? pid : 0;
}

absl::Status StopApp(const std::string& pidfile, absl::Duration grace) {
  pid_t pid = RunningApp(pidfile);
  if (pid == 0) return absl::OkStatus();
  kill(pid, SIGTERM);  // dso-run passes it on and exits with the program
  absl::Time deadline = absl::Now() + grace;
  while (absl::Now() < deadline) {
    if (RunningApp(pidfile) != pid) return absl::OkStatus();
    usleep(20'000);
  }
  kill(-pid, SIGKILL);  // its session's process group: everything it started
  kill(pid, SIGKILL);
  for (int i = 0; i < 250 && RunningApp(pidfile) == pid; ++i) usleep(20'000);
  if (RunningApp(pidfile) == pid) {
    return absl::DeadlineExceededError(
        absl::StrCat("the application (dso-run pid ", pid, ") did not stop"));
  }
  unlink(pidfile.c_str());
  return absl::OkStatus();
}

}  // namespace dso
