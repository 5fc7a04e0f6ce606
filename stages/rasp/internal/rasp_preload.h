// What the parts of libdso_rasp.so (the monitor dso-run preloads into the
// protected program) share: the policy as the launcher passed it in
// DSO_RASP_POLICY, the way to the C library's real functions, the event
// report, and path checks. rasp_preload.cc owns the policy (loaded once, at
// start-up) and the exec hooks; rasp_preload_files.cc the open, chmod and
// attribute hooks; rasp_preload_net.cc connect and sendto/sendmsg;
// rasp_preload_signals.cc kill and its relatives.
//
// Every hook may run between fork and exec in a multi-threaded program, so
// after start-up nothing here allocates: the policy lives in static
// storage, paths and events are built on the stack.
#ifndef DSO_STAGES_RASP_INTERNAL_RASP_PRELOAD_H_
#define DSO_STAGES_RASP_INTERNAL_RASP_PRELOAD_H_

#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "stages/rasp/internal/rasp_rules.h"

namespace dso::rasp_preload {

inline constexpr int kMaxRules = 64;

// Zero-filled at load time (no initialisers: a constructor for it could
// run after Init).
struct Policy {
  bool loaded;
  bool block;
  bool exec_restricted;
  bool connect_restricted;
  bool write_restricted;
  bool unix_restricted;
  int exec_count;
  int write_count;
  int connect_count;
  int unix_count;
  int protected_count;
  const char* exec[kMaxRules];
  const char* write[kMaxRules];
  rasp::NetRule connect[kMaxRules];
  // Unix sockets the program may reach: paths (files or directories) and
  // abstract names written "@name".
  const char* unix_allowed[kMaxRules];
  // Paths it may never reach whatever the policy: the agent's own.
  const char* protect[kMaxRules];
  char text[65536];  // the policy's lines, NUL-separated
  sockaddr_un events;
  socklen_t events_len;
  // What a child's environment must carry to stay monitored.
  const char* keep_env[4];
  // System calls the policy takes off the kernel filter's refusals.
  bool memfd_allowed;
  bool execveat_allowed;
  // The process dso-run started: signals may go to it and its descendants.
  pid_t root_pid;
};

extern Policy g;

// The C library's function behind a hook: resolved at start-up (dlsym may
// allocate, so each part's Find*Functions runs from the constructor).
template <typename F>
F Real(F& slot, const char* name) {
  if (slot == nullptr) slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return slot;
}

void FindFileFunctions();
void FindNetFunctions();
void FindSignalFunctions();

// Sends one event to the launcher and, in block mode, says on stderr what
// was blocked. Keeps errno.
void Report(const char* kind, const char* target, const char* detail,
            const char* reason);

// The canonical path `path` (relative to `dirfd`) names, into `out`
// (PATH_MAX bytes); for a file that does not exist yet, its directory's
// canonical path plus its name. False when even the directory cannot be
// resolved.
bool Canonical(int dirfd, const char* path, char* out);

// The path open descriptor `fd` stands for, into `out` (PATH_MAX bytes).
bool DescriptorPath(int fd, char* out);

}  // namespace dso::rasp_preload

#endif  // DSO_STAGES_RASP_INTERNAL_RASP_PRELOAD_H_
