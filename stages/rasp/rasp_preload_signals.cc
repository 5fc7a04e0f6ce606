// The monitor's signal hooks (rasp_preload.h): kill, killpg, sigqueue,
// tgkill and pidfd_send_signal aimed at a process that is not the program
// dso-run started or one of its descendants — the agent, dso-run itself,
// other applications of the same user — are reported, and refused (EPERM)
// in block mode, where Landlock's signal scope (sandbox.h) refuses them in
// the kernel too.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>

#include "stages/rasp/internal/rasp_preload.h"

namespace {

using namespace dso::rasp_preload;  // NOLINT: the monitor's own parts

int (*real_kill)(pid_t, int);
int (*real_killpg)(pid_t, int);
int (*real_sigqueue)(pid_t, int, const sigval);
int (*real_tgkill)(pid_t, pid_t, int);
int (*real_pidfd_send_signal)(int, int, siginfo_t*, unsigned);

// The start of the /proc file `path` into `buf`, NUL-terminated; false
// when it cannot be read.
bool ReadProc(const char* path, char* buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}

// The parent of process `pid`, from /proc; -1 when unreadable.
long ParentOf(pid_t pid) {
  char path[48], buf[512];
  snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  if (!ReadProc(path, buf, sizeof(buf))) return -1;
  // "pid (comm) S ppid ...": the command may hold anything but its last ')'.
  const char* close_paren = strrchr(buf, ')');
  if (close_paren == nullptr || strlen(close_paren) < 4) return -1;
  return strtol(close_paren + 4, nullptr, 10);
}

// Whether `pid` is the program dso-run started, this process, or a
// descendant of either.
bool OwnProcess(pid_t pid) {
  pid_t self = getpid();
  for (int depth = 0; depth < 64; ++depth) {
    if (pid == self || pid == g.root_pid) return true;
    if (pid <= 1) return false;
    long parent = ParentOf(pid);
    if (parent < 0) return false;
    pid = static_cast<pid_t>(parent);
  }
  return false;
}

// Whether signal `sig` may go to `pid` as kill(2) reads it (0: our own
// process group; -1: every process; below -1: a process group).
bool SignalAllowed(const char* call, pid_t pid, int sig) {
  if (!g.loaded) return true;
  bool own;
  if (pid == 0) {
    own = true;  // our own group; the kernel's scope guards its members
  } else if (pid == -1) {
    own = false;
  } else if (pid < -1) {
    own = -pid == getpgrp() || OwnProcess(-pid);
  } else {
    own = OwnProcess(pid);
  }
  if (own) return true;
  char target[32], detail[48];
  snprintf(target, sizeof(target), "%d", static_cast<int>(pid));
  snprintf(detail, sizeof(detail), "%s signal %d", call, sig);
  Report("signal", target, detail, "a process that is not the program's own");
  return !g.block;
}

// The process a pidfd stands for, from /proc/self/fdinfo; -1 if unknown.
pid_t PidfdTarget(int pidfd) {
  char path[64], buf[1024];
  snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
  if (!ReadProc(path, buf, sizeof(buf))) return -1;
  const char* line = strstr(buf, "\nPid:");
  return line ? static_cast<pid_t>(strtol(line + 5, nullptr, 10)) : -1;
}

int Refused() {
  errno = EPERM;
  return -1;
}

}  // namespace

namespace dso::rasp_preload {

void FindSignalFunctions() {
  Real(real_kill, "kill");
  Real(real_killpg, "killpg");
  Real(real_sigqueue, "sigqueue");
  Real(real_tgkill, "tgkill");
  Real(real_pidfd_send_signal, "pidfd_send_signal");
}

}  // namespace dso::rasp_preload

extern "C" {

int kill(pid_t pid, int sig) {
  if (!SignalAllowed("kill", pid, sig)) return Refused();
  return Real(real_kill, "kill")(pid, sig);
}
int killpg(pid_t group, int sig) {
  if (!SignalAllowed("killpg", group > 0 ? -group : group, sig)) {
    return Refused();
  }
  return Real(real_killpg, "killpg")(group, sig);
}
int sigqueue(pid_t pid, int sig, const sigval value) {
  if (!SignalAllowed("sigqueue", pid, sig)) return Refused();
  return Real(real_sigqueue, "sigqueue")(pid, sig, value);
}
int tgkill(pid_t tgid, pid_t tid, int sig) {
  if (!SignalAllowed("tgkill", tgid, sig)) return Refused();
  return Real(real_tgkill, "tgkill")(tgid, tid, sig);
}
int pidfd_send_signal(int pidfd, int sig, siginfo_t* info, unsigned flags) {
  pid_t pid = PidfdTarget(pidfd);
  if (pid > 0 && !SignalAllowed("pidfd_send_signal", pid, sig)) {
    return Refused();
  }
  return Real(real_pidfd_send_signal, "pidfd_send_signal")(pidfd, sig, info,
                                                           flags);
}

}  // extern "C"
