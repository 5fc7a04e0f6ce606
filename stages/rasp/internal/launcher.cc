#include "stages/rasp/internal/launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "stages/rasp/executable.h"
#include "stages/rasp/rasp_events.h"
#include "stages/rasp/sandbox.h"
#include "stages/rasp/user_switch.h"

namespace dso {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD};

void Say(const std::string& line) {
  std::string text = absl::StrCat("dso-run: ", line, "\n");
  ssize_t ignored = write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

absl::Status ParseUser(const std::string& text, SandboxOptions& options) {
  if (text.empty()) return absl::OkStatus();
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  uint32_t uid = 0, gid = 0;
  if (absl::SimpleAtoi(parts[0], &uid)) {
    gid = uid;
  } else if (const passwd* pw = getpwnam(parts[0].c_str())) {
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  } else {
    return absl::InvalidArgumentError("--user " + text + ": no such user");
  }
  if (parts.size() > 1 && !absl::SimpleAtoi(parts[1], &gid)) {
    return absl::InvalidArgumentError("--user " + text +
                                      ": the group must be a number");
  }
  options.uid = uid;
  options.gid = gid;
  return absl::OkStatus();
}

std::string DefaultPreload() {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  std::string dir(self, strrchr(self, '/') - self);
  for (const std::string& candidate :
       {dir + "/libdso_rasp.so", dir + "/../lib/dso/libdso_rasp.so"}) {
    if (access(candidate.c_str(), R_OK) == 0) return candidate;
  }
  return "";
}

// The private socket the monitor reports to: a fresh directory only the
// launcher (and the program's user) can reach.
struct EventSocket {
  int fd = -1;
  std::string dir;
  std::string path;
  ~EventSocket() {
    if (fd >= 0) close(fd);
    if (!path.empty()) unlink(path.c_str());
    if (!dir.empty()) rmdir(dir.c_str());
  }
};

absl::Status OpenEventSocket(const SandboxOptions& sandbox, EventSocket& s) {
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  std::string pattern =
      absl::StrCat(runtime && *runtime ? runtime : "/tmp", "/dso-rasp-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("creating ", pattern, ": ", strerror(errno)));
  }
  s.dir = pattern;
  s.path = s.dir + "/events.sock";
  s.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (s.path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        "the runtime directory's path is too long");
  }
  strcpy(addr.sun_path, s.path.c_str());
  if (s.fd < 0 ||
      bind(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::InternalError(
        absl::StrCat("binding ", s.path, ": ", strerror(errno)));
  }
  int size = 1 << 20;
  setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  if (sandbox.uid && *sandbox.uid != geteuid()) {
    // The program runs as another user: it may send, nobody else may.
    if (auto st = LetSend(s.path, *sandbox.uid, sandbox.gid); !st.ok()) {
      return st;
    }
    if (chmod(s.dir.c_str(), 0711) != 0) {
      return absl::InternalError(
          absl::StrCat("opening ", s.dir, ": ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

// Writes what went wrong to the status pipe and ends the child.
[[noreturn]] void ChildFail(int status_fd, int code, const std::string& what) {
  std::string text = absl::StrCat("E", what);
  ssize_t ignored = write(status_fd, text.c_str(), text.size() + 1);
  (void)ignored;
  _exit(code);
}

// Sockets below these the program may never reach: the agent's own (the
// directory of its event socket, which is the agent's data directory, and
// those named by --protect), made canonical.
std::vector<std::string> ProtectedPaths(const LaunchOptions& options) {
  std::vector<std::string> paths = options.protect;
  size_t slash = options.agent_socket.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    paths.push_back(options.agent_socket.substr(0, slash));
  }
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    if (path.empty() || path.find('\n') != std::string::npos) continue;
    char resolved[PATH_MAX];
    out.push_back(realpath(path.c_str(), resolved) ? resolved : path);
  }
  return out;
}

// Who the program runs as, when that is a risk: root (or the root group)
// without the policy's allow_root — refused in block mode —, or the
// agent's own user (dso-run deployed by an agent that could not switch
// users) — reported. Empty reason when neither.
struct UserRisk {
  std::string reason;
  bool root = false;
};

UserRisk RiskyUser(const LaunchOptions& options, const RaspPolicy& policy,
                   uid_t uid, gid_t gid) {
  if ((uid == 0 || gid == 0) && !policy.allow_root) {
    return {absl::StrCat("the program would run as root (uid ", uid, ", gid ",
                         gid, "); the policy does not say allow_root: true"),
            true};
  }
  if (uid != 0 && !options.agent_socket.empty() && uid == getuid()) {
    return {absl::StrCat("the program runs as the agent's own user (uid ", uid,
                         "), within reach of the agent's files and sockets"),
            false};
  }
  return {};
}

[[noreturn]] void RunChild(const LaunchOptions& options,
                           const RaspPolicy& policy,
                           const SandboxOptions& sandbox,
                           const std::string& program,
                           const std::string& preload,
                           const std::string& socket_path, int status_fd,
                           UserNamespaceHandshake* userns) {
  if (userns != nullptr) {
    if (auto s = userns->ChildEnter(); !s.ok()) {
      ChildFail(status_fd, 126, s.ToString());
    }
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  std::string ld_preload = preload;
  if (const char* old = getenv("LD_PRELOAD"); old && *old) {
    ld_preload = absl::StrCat(preload, ":", old);
  }
  setenv("LD_PRELOAD", ld_preload.c_str(), 1);
  setenv("DSO_RASP_POLICY",
         EncodeForMonitor(policy, ProtectedPaths(options)).c_str(), 1);
  setenv("DSO_RASP_SOCKET", socket_path.c_str(), 1);
  // The monitor lets the program signal this process and its descendants.
  setenv("DSO_RASP_ROOT", absl::StrCat(getpid()).c_str(), 1);
  std::vector<std::string> notes;
  if (auto s = ApplySandbox(policy, sandbox, &notes); !s.ok()) {
    ChildFail(status_fd, 126, s.ToString());
  }
  notes.push_back("monitor: " + preload);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the supervisor
  std::string text = "N" + absl::StrJoin(notes, "\n");
  ssize_t ignored = write(status_fd, text.c_str(), text.size() + 1);
  (void)ignored;
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  execv(program.c_str(), argv.data());
  ChildFail(status_fd, 127,
            absl::StrCat("executing ", program, ": ", strerror(errno)));
}

class Supervisor {
 public:
  Supervisor(const LaunchOptions& options, int log_fd)
      : options_(options), log_fd_(log_fd) {}

  void Log(const std::string& line) {
    if (log_fd_ < 0) return;
    std::string text = line + "\n";
    ssize_t ignored = write(log_fd_, text.data(), text.size());
    (void)ignored;
  }

  void Forward(const std::string& line) {
    if (options_.agent_socket.empty()) return;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (options_.agent_socket.size() >= sizeof(addr.sun_path)) return;
    strcpy(addr.sun_path, options_.agent_socket.c_str());
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sendto(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
           reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    close(fd);
  }

  // Takes every datagram waiting on `fd`.
  void Drain(int fd) {
    char buf[8192];
    for (;;) {
      ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n <= 0) return;
      auto line = NormalizeRaspEvent(absl::string_view(buf, n),
                                     options_.deployment, absl::Now());
      if (!line.ok()) {
        ++malformed_;
        continue;
      }
      Log(*line);
      Forward(*line);
      auto e = nlohmann::json::parse(*line);
      if (e.value("decision", "") == "allowed") {
        Say(absl::StrCat("monitor: ", e.value("kind", ""), " ",
                         e.value("what", ""), " would be blocked (",
                         e.value("reason", ""), ")"));
      }
    }
  }

  int malformed() const { return malformed_; }

 private:
  const LaunchOptions& options_;
  int log_fd_;
  int malformed_ = 0;
};

// Readies the switch to the program's user (a user namespace when not
// root, the directories handed over) and reports who it runs as when that
// is a risk (RiskyUser). Returns dso-run's exit code when it must not
// start (2: the switch cannot be made; 126: root refused), else 0.
int PrepareUser(const LaunchOptions& options, const RaspPolicy& policy,
                const SandboxOptions& sandbox, int log_fd,
                std::unique_ptr<UserNamespaceHandshake>& userns) {
  if (sandbox.uid && NeedsUserNamespace(*sandbox.uid)) {
    if (auto s = CheckCanMap(*sandbox.uid, sandbox.gid, options.idmap_socket);
        !s.ok()) {
      Say(std::string(s.message()));
      return 2;
    }
    userns = std::make_unique<UserNamespaceHandshake>(options.idmap_socket);
    if (auto s = userns->Open(); !s.ok()) {
      Say(std::string(s.message()));
      return 2;
    }
  }
  if (sandbox.uid) {
    if (auto s = HandOver(options.hand_over, *sandbox.uid, sandbox.gid);
        !s.ok()) {
      Say(std::string(s.message()));
      return 2;
    }
  }
  uid_t uid = sandbox.uid ? *sandbox.uid : geteuid();
  gid_t gid = sandbox.uid ? sandbox.gid : getegid();
  UserRisk risk = RiskyUser(options, policy, uid, gid);
  if (risk.reason.empty()) return 0;
  bool refuse = risk.root && policy.block;
  nlohmann::json user = {{"what", absl::StrCat(uid, ":", gid)},
                         {"decision", refuse ? "blocked" : "allowed"},
                         {"mode", policy.block ? "block" : "monitor"},
                         {"reason", risk.reason}};
  std::string line =
      LauncherEvent("user", options.deployment, user.dump(), absl::Now());
  Supervisor reporter(options, log_fd);
  reporter.Log(line);
  reporter.Forward(line);
  Say(refuse ? risk.reason + " (refused: give --user, or allow_root: true)"
             : "warning: " + risk.reason);
  return refuse ? 126 : 0;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int RunUnderRasp(const LaunchOptions& options) {
  if (options.argv.empty()) {
    Say("no program given (dso-run --policy FILE -- PROGRAM ARGS...)");
    return 2;
  }
  std::string base = options.base_dir;
  if (base.empty()) {
    char cwd[PATH_MAX];
    base = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
  }
  auto policy = LoadRaspPolicy(options.policy_path, base);
  if (!policy.ok()) {
    Say(std::string(policy.status().message()));
    return 2;
  }
  if (auto s = CheckSandboxNames(*policy, options.policy_path); !s.ok()) {
    Say(std::string(s.message()));
    return 2;
  }
  SandboxOptions sandbox;
  if (auto s = ParseUser(options.user, sandbox); !s.ok()) {
    Say(std::string(s.message()));
    return 2;
  }
  auto program = FindExecutable(options.argv[0]);
  if (!program.ok()) {
    Say(std::string(program.status().message()));
    return 127;
  }
  auto chain = ExecutionChain(*program);
  if (!chain.ok()) {
    Say(std::string(chain.status().message()));
    return 127;
  }
  sandbox.implicit_exec = *chain;
  std::string preload =
      options.preload.empty() ? DefaultPreload() : options.preload;
  if (preload.empty() || access(preload.c_str(), R_OK) != 0) {
    Say("cannot find the monitor library libdso_rasp.so (give --preload)");
    return 2;
  }
  char preload_real[PATH_MAX];
  preload = realpath(preload.c_str(), preload_real) ? preload_real : preload;

  int log_fd = -1;
  if (!options.events_path.empty()) {
    log_fd = open(options.events_path.c_str(),
                  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (log_fd < 0) {
      Say(absl::StrCat("cannot open the event log ", options.events_path, ": ",
                       strerror(errno)));
      return 2;
    }
  }
  std::unique_ptr<UserNamespaceHandshake> userns;
  if (int code = PrepareUser(options, *policy, sandbox, log_fd, userns)) {
    if (log_fd >= 0) close(log_fd);
    return code;
  }
  EventSocket events;
  if (auto s = OpenEventSocket(sandbox, events); !s.ok()) {
    Say(std::string(s.message()));
    return 2;
  }
  if (!options.pidfile.empty()) {
    std::string pid = absl::StrCat(getpid(), "\n");
    std::string tmp = options.pidfile + ".tmp";
    FILE* f = fopen(tmp.c_str(), "w");
    if (f == nullptr || fputs(pid.c_str(), f) < 0 || fclose(f) != 0 ||
        rename(tmp.c_str(), options.pidfile.c_str()) != 0) {
      Say("cannot write the pid file " + options.pidfile);
      return 2;
    }
  }

  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : kSignals) sigaddset(&mask, sig);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  int status_pipe[2];
  if (sig_fd < 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
    Say(absl::StrCat("cannot set up: ", strerror(errno)));
    return 2;
  }
  pid_t child = fork();
  if (child < 0) {
    Say(absl::StrCat("fork: ", strerror(errno)));
    return 2;
  }
  if (child == 0) {
    close(status_pipe[0]);
    RunChild(options, *policy, sandbox, *program, preload, events.path,
             status_pipe[1], userns.get());
  }
  close(status_pipe[1]);
  if (userns) {
    if (auto s = userns->ParentMap(child, *sandbox.uid, sandbox.gid); !s.ok()) {
      Say(std::string(s.message()));
    }
  }
  std::string status_text;
  char buf[4096];
  for (ssize_t n; (n = read(status_pipe[0], buf, sizeof(buf))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    status_text.append(buf, n);
  }
  close(status_pipe[0]);
  Supervisor supervisor(options, log_fd);
  // Messages from the child, each ending in NUL: "N<notes>" once the
  // sandbox is on, "E<error>" if it or the exec failed.
  nlohmann::json layers = nlohmann::json::array();
  std::string error;
  for (absl::string_view message :
       absl::StrSplit(status_text, '\0', absl::SkipEmpty())) {
    if (message[0] == 'E') error = std::string(message.substr(1));
    if (message[0] != 'N') continue;
    for (absl::string_view note : absl::StrSplit(message.substr(1), '\n')) {
      layers.push_back(std::string(note));
    }
  }
  bool failed = !error.empty();
  if (failed) {
    Say(error);
  } else {
    for (const auto& note : layers) Say(note.get<std::string>());
    nlohmann::json start = {{"pid", child},
                            {"program", *program},
                            {"mode", policy->block ? "block" : "monitor"},
                            {"layers", layers}};
    std::string line =
        LauncherEvent("start", options.deployment, start.dump(), absl::Now());
    supervisor.Log(line);
    supervisor.Forward(line);
  }

  int exit_code = 1;
  for (bool running = true; running;) {
    pollfd fds[2] = {{events.fd, POLLIN, 0}, {sig_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) supervisor.Drain(events.fd);
    signalfd_siginfo info;
    while (read(sig_fd, &info, sizeof(info)) == sizeof(info)) {
      if (info.ssi_signo != SIGCHLD) {
        kill(child, static_cast<int>(info.ssi_signo));
        continue;
      }
      int status = 0;
      if (waitpid(child, &status, WNOHANG) == child) {
        exit_code = ExitCodeOf(status);
        running = false;
      }
    }
  }
  supervisor.Drain(events.fd);
  if (!failed) {
    nlohmann::json exit = {{"pid", child}, {"status", exit_code}};
    if (supervisor.malformed())
      exit["malformed_events"] = supervisor.malformed();
    std::string line =
        LauncherEvent("exit", options.deployment, exit.dump(), absl::Now());
    supervisor.Log(line);
    supervisor.Forward(line);
  }
  if (log_fd >= 0) close(log_fd);
  if (!options.pidfile.empty()) unlink(options.pidfile.c_str());
  return exit_code;
}

}  // namespace dso
