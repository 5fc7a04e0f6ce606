#include "stages/core/run_processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/fd_io.h"

namespace dso {
namespace {

constexpr char kMarkerName[] = "DSO_RUN_ID=";

// The agent's own cgroup v2 directory, "" when there is no cgroup2
// hierarchy (or this process is not in it).
std::string OwnCgroupDir() {
  std::string mount;
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    // ... MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::vector<std::string> after = absl::StrSplit(line.substr(dash + 3), ' ');
    if (after.empty() || after[0] != "cgroup2") continue;
    std::vector<std::string> before = absl::StrSplit(line.substr(0, dash), ' ');
    if (before.size() >= 5) mount = before[4];
    break;
  }
  if (mount.empty()) return "";
  std::ifstream cgroup("/proc/self/cgroup");
  for (std::string line; std::getline(cgroup, line);) {
    if (!absl::StartsWith(line, "0::")) continue;
    std::string path = line.substr(3);
    return path == "/" ? mount : absl::StrCat(mount, path);
  }
  return "";
}

const std::string& AgentCgroupDir() {
  static const std::string* const kDir = new std::string(OwnCgroupDir());
  return *kDir;
}

std::string CgroupOf(const std::string& run_id) {
  const std::string& base = AgentCgroupDir();
  return base.empty() ? "" : absl::StrCat(base, "/dso-run-", run_id);
}

bool WriteText(const std::string& path, absl::string_view text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = WriteAll(fd, text);
  close(fd);
  return ok;
}

std::vector<pid_t> CgroupPids(const std::string& cgroup) {
  std::vector<pid_t> pids;
  std::ifstream procs(cgroup + "/cgroup.procs");
  for (std::string line; std::getline(procs, line);) {
    pid_t pid;
    if (absl::SimpleAtoi(line, &pid) && pid > 0) pids.push_back(pid);
  }
  return pids;
}

bool Populated(const std::string& cgroup) {
  std::ifstream events(cgroup + "/cgroup.events");
  for (std::string line; std::getline(events, line);) {
    if (line == "populated 0") return false;
  }
  return !CgroupPids(cgroup).empty();
}

// Kills the cgroup's processes, waits (a little) for them to go and
// removes the cgroup.
int KillCgroup(const std::string& cgroup) {
  struct stat st;
  if (cgroup.empty() || stat(cgroup.c_str(), &st) != 0) return 0;
  int killed = 0;
  for (int round = 0; round < 50 && Populated(cgroup); ++round) {
    std::vector<pid_t> pids = CgroupPids(cgroup);
    killed = std::max<int>(killed, pids.size());
    if (!WriteText(cgroup + "/cgroup.kill", "1")) {
      for (pid_t pid : pids) kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  rmdir(cgroup.c_str());
  return killed;
}

// Whether the NUL-separated environment `env` holds `entry` exactly.
bool HoldsEntry(absl::string_view env, absl::string_view entry) {
  for (absl::string_view e : absl::StrSplit(env, '\0')) {
    if (e == entry) return true;
  }
  return false;
}

}  // namespace

RunProcesses::RunProcesses(std::string run_id) : run_id_(std::move(run_id)) {
  std::string cgroup = CgroupOf(run_id_);
  if (cgroup.empty()) return;
  if (mkdir(cgroup.c_str(), 0700) != 0 && errno != EEXIST) return;
  dir_fd_ = open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  procs_fd_ = open((cgroup + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (dir_fd_ < 0 || procs_fd_ < 0) {
    if (dir_fd_ >= 0) close(dir_fd_);
    if (procs_fd_ >= 0) close(procs_fd_);
    dir_fd_ = procs_fd_ = -1;
    rmdir(cgroup.c_str());
    return;
  }
  cgroup_ = std::move(cgroup);
}

RunProcesses::~RunProcesses() {
  KillAll();
  if (dir_fd_ >= 0) close(dir_fd_);
  if (procs_fd_ >= 0) close(procs_fd_);
}

std::string RunProcesses::MarkerEnv() const {
  return absl::StrCat(kMarkerName, run_id_);
}

pid_t RunProcesses::Fork() const {
  killed_since_fork_ = false;
  if (dir_fd_ >= 0) {
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(dir_fd_);
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid >= 0) return static_cast<pid_t>(pid);
    // ENOSYS (before Linux 5.7), or a cgroup clone3 may not enter.
  }
  pid_t pid = fork();
  if (pid == 0 && procs_fd_ >= 0) (void)!write(procs_fd_, "0", 1);
  return pid;
}

int RunProcesses::KillAll() {
  if (killed_since_fork_) return 0;
  killed_since_fork_ = true;
  return KillRunLeftovers(run_id_);
}

std::string RunProcesses::Describe() const {
  return cgroup_.empty() ? std::string("environment marker")
                         : absl::StrCat("cgroup ", cgroup_);
}

int KillRunLeftovers(const std::string& run_id) {
  if (run_id.empty()) return 0;
  // The cgroup, and the marker too: a process of the run that could write
  // to the agent's cgroup may have moved itself out of the run's.
  return KillCgroup(CgroupOf(run_id)) +
         KillMarkedProcesses(absl::StrCat(kMarkerName, run_id));
}

int KillMarkedProcesses(const std::string& marker) {
  int killed = 0;
  const pid_t self = getpid();
  std::string env(256 << 10, '\0');  // one buffer for every environment
  // Again while new ones appear (a process forking as it is scanned).
  for (int round = 0; round < 5; ++round) {
    int found = 0;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return killed;
    while (dirent* d = readdir(proc)) {
      pid_t pid;
      if (!absl::SimpleAtoi(d->d_name, &pid) || pid <= 1 || pid == self) {
        continue;
      }
      int fd = open(absl::StrCat("/proc/", pid, "/environ").c_str(),
                    O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;  // gone, or another user's
      size_t size = 0;
      for (ssize_t n; size < env.size() && (n = read(fd, env.data() + size,
                                                     env.size() - size)) > 0;) {
        size += n;
      }
      close(fd);
      if (size == 0) continue;  // a zombie, or a kernel thread
      if (HoldsEntry(absl::string_view(env.data(), size), marker) &&
          kill(pid, SIGKILL) == 0) {
        ++found;
      }
    }
    closedir(proc);
    killed += found;
    if (found == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return killed;
}

}  // namespace dso
