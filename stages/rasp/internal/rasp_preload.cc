// libdso_rasp.so: the monitor dso-run preloads into the protected program.
// It interposes the C library's exec family, posix_spawn, system, popen,
// memfd_create (here), connect and sendto (rasp_preload_net.cc), the open
// family, chmod, chown, utimes and extended attributes
// (rasp_preload_files.cc) and kill (rasp_preload_signals.cc), checks each
// call against the policy the launcher passed in DSO_RASP_POLICY (policy.h:
// EncodeForMonitor) and, when the policy does not allow it, reports an
// event to the launcher's socket (DSO_RASP_SOCKET) and — in block mode —
// fails the call (EACCES or EPERM). What this layer cannot see — static
// binaries, raw system calls, io_uring — is the kernel layers' job
// (sandbox.h); docs/rasp.md says so.
#include "stages/rasp/internal/rasp_preload.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace dso::rasp_preload {

Policy g;

}  // namespace dso::rasp_preload

namespace {

using namespace dso::rasp_preload;  // NOLINT: the monitor's own parts

constexpr int kMaxArgs = 4096;

// The C library's functions behind the hooks, found at start-up (dlsym may
// allocate, so not later).
using ExecveFn = int (*)(const char*, char* const[], char* const[]);
using SpawnFn = int (*)(pid_t*, const char*, const posix_spawn_file_actions_t*,
                        const posix_spawnattr_t*, char* const[], char* const[]);
using FexecveFn = int (*)(int, char* const[], char* const[]);
using ExecveatFn = int (*)(int, const char*, char* const[], char* const[], int);
using MemfdFn = int (*)(const char*, unsigned);
ExecveFn real_execve, real_execvpe;
FexecveFn real_fexecve;
ExecveatFn real_execveat;
MemfdFn real_memfd_create;
SpawnFn real_posix_spawn, real_posix_spawnp;
int (*real_system)(const char*);
FILE* (*real_popen)(const char*, const char*);
ssize_t (*real_sendto)(int, const void*, size_t, int, const sockaddr*,
                       socklen_t);
int (*real_connect)(int, const sockaddr*, socklen_t);

void FindRealFunctions() {
  Real(real_execve, "execve");
  Real(real_execvpe, "execvpe");
  Real(real_fexecve, "fexecve");
  Real(real_execveat, "execveat");
  Real(real_memfd_create, "memfd_create");
  Real(real_posix_spawn, "posix_spawn");
  Real(real_posix_spawnp, "posix_spawnp");
  Real(real_system, "system");
  Real(real_popen, "popen");
  Real(real_sendto, "sendto");    // for Report, past the sendto hook
  Real(real_connect, "connect");  // and past the connect hook
}

void LoadPolicy() {
  const char* env = getenv("DSO_RASP_POLICY");
  if (env == nullptr || strlen(env) >= sizeof(g.text)) return;
  strcpy(g.text, env);
  for (char* line = g.text; *line;) {
    char* end = strchr(line, '\n');
    if (end) *end = '\0';
    char* eq = strchr(line, '=');
    const char* value = eq ? eq + 1 : "";
    if (eq) *eq = '\0';
    if (!strcmp(line, "mode")) {
      g.block = !strcmp(value, "block");
    } else if (!strcmp(line, "exec-restricted")) {
      g.exec_restricted = true;
    } else if (!strcmp(line, "connect-restricted")) {
      g.connect_restricted = true;
    } else if (!strcmp(line, "write-restricted")) {
      g.write_restricted = true;
    } else if (!strcmp(line, "unix-restricted")) {
      g.unix_restricted = true;
    } else if (!strcmp(line, "unix") && g.unix_count < kMaxRules) {
      g.unix_allowed[g.unix_count++] = value;
    } else if (!strcmp(line, "protect") && g.protected_count < kMaxRules) {
      g.protect[g.protected_count++] = value;
    } else if (!strcmp(line, "allow")) {
      g.memfd_allowed |= !strcmp(value, "memfd_create");
      g.execveat_allowed |= !strcmp(value, "execveat");
    } else if (!strcmp(line, "exec") && g.exec_count < kMaxRules) {
      g.exec[g.exec_count++] = value;
    } else if (!strcmp(line, "write") && g.write_count < kMaxRules) {
      g.write[g.write_count++] = value;
    } else if (!strcmp(line, "connect") && g.connect_count < kMaxRules) {
      const char* why;
      if (dso::rasp::ParseNetRule(value, &g.connect[g.connect_count], &why)) {
        ++g.connect_count;
      }
    }
    if (!end) break;
    line = end + 1;
  }
  const char* sock = getenv("DSO_RASP_SOCKET");
  if (sock && strlen(sock) < sizeof(g.events.sun_path)) {
    g.events.sun_family = AF_UNIX;
    strcpy(g.events.sun_path, sock);
    g.events_len = sizeof(sa_family_t) + strlen(sock) + 1;
  }
  // environ entries stay valid as long as nobody calls setenv on them; keep
  // the values found at start-up.
  const char* names[] = {
      "LD_PRELOAD=", "DSO_RASP_POLICY=", "DSO_RASP_SOCKET=", "DSO_RASP_ROOT="};
  for (int i = 0; i < 4; ++i) {
    for (char** e = environ; e && *e; ++e) {
      if (!strncmp(*e, names[i], strlen(names[i]))) g.keep_env[i] = *e;
    }
  }
  const char* root = getenv("DSO_RASP_ROOT");
  g.root_pid = root ? static_cast<pid_t>(atol(root)) : getpid();
  g.loaded = true;
}

__attribute__((constructor)) void Init() {
  FindRealFunctions();
  FindFileFunctions();
  FindNetFunctions();
  FindSignalFunctions();
  LoadPolicy();
}

// --- events ---------------------------------------------------------------

struct Buffer {
  char data[4096];
  size_t len = 0;

  void Raw(const char* s) {
    while (*s && len + 1 < sizeof(data)) data[len++] = *s++;
  }
  // A JSON string's contents, escaped, cut at `limit` bytes of input.
  void Escaped(const char* s, size_t limit = 1024) {
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; s[i] && i < limit && len + 8 < sizeof(data); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        data[len++] = '\\';
        data[len++] = static_cast<char>(c);
      } else if (c < 0x20) {
        Raw("\\u00");
        data[len++] = kHex[c >> 4];
        data[len++] = kHex[c & 15];
      } else {
        data[len++] = static_cast<char>(c);
      }
    }
  }
  void Number(long n) {
    char digits[24];
    snprintf(digits, sizeof(digits), "%ld", n);
    Raw(digits);
  }
};

}  // namespace

namespace dso::rasp_preload {

void Report(const char* kind, const char* target, const char* detail,
            const char* reason) {
  int saved = errno;
  Buffer b;
  b.Raw("{\"kind\":\"");
  b.Raw(kind);
  b.Raw("\",\"target\":\"");
  b.Escaped(target);
  b.Raw("\",\"decision\":\"");
  b.Raw(g.block ? "blocked" : "allowed");
  b.Raw("\",\"mode\":\"");
  b.Raw(g.block ? "block" : "monitor");
  b.Raw("\",\"reason\":\"");
  b.Raw(reason);
  b.Raw("\",\"pid\":");
  b.Number(getpid());
  b.Raw(",\"ppid\":");
  b.Number(getppid());
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  exe[n > 0 ? n : 0] = '\0';
  b.Raw(",\"exe\":\"");
  b.Escaped(exe);
  b.Raw("\",\"detail\":\"");
  b.Escaped(detail, 2048);
  b.Raw("\"}");
  if (g.events_len) {
    // Connected, so that a full queue can be waited for: dso-run's socket
    // holds net.unix.max_dgram_qlen datagrams (10 by default), and a burst
    // of events while dso-run is not scheduled was dropped. Waits up to
    // 2 s an event; only a stalled dso-run loses one.
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 &&
        Real(real_connect, "connect")(
            fd, reinterpret_cast<sockaddr*>(&g.events), g.events_len) == 0) {
      for (int tries = 0; tries < 200; ++tries) {
        ssize_t sent = Real(real_sendto, "sendto")(
            fd, b.data, b.len, MSG_DONTWAIT | MSG_NOSIGNAL, nullptr, 0);
        if (sent >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) break;
        pollfd ready{fd, POLLOUT, 0};
        poll(&ready, 1, 10);
      }
    }
    if (fd >= 0) close(fd);
  }
  if (g.block) {
    Buffer line;
    line.Raw("dso-rasp: blocked ");
    line.Raw(kind);
    line.Raw(" ");
    line.Escaped(target, 512);
    line.Raw(" (");
    line.Raw(reason);
    line.Raw(")\n");
    ssize_t ignored = write(STDERR_FILENO, line.data, line.len);
    (void)ignored;
  }
  errno = saved;
}

}  // namespace dso::rasp_preload

namespace {

// --- exec -----------------------------------------------------------------

// The file execvp would run for `file`, into `out`; false if none.
bool SearchPath(const char* file, char* out) {
  if (strchr(file, '/')) {
    snprintf(out, PATH_MAX, "%s", file);
    return true;
  }
  const char* path = getenv("PATH");
  if (path == nullptr) path = "/bin:/usr/bin";
  for (const char* p = path;;) {
    const char* end = strchrnul(p, ':');
    int dir_len = static_cast<int>(end - p);
    snprintf(out, PATH_MAX, "%.*s%s%s", dir_len, dir_len ? p : ".",
             dir_len ? "/" : "", file);
    if (!dir_len) snprintf(out, PATH_MAX, "./%s", file);
    if (access(out, X_OK) == 0) return true;
    if (*end == '\0') return false;
    p = end + 1;
  }
}

// Joins argv into `out` for an event's detail.
void JoinArgs(char* const argv[], char* out, size_t size) {
  size_t len = 0;
  out[0] = '\0';
  for (int i = 0; argv && argv[i] && len + 1 < size; ++i) {
    int n = snprintf(out + len, size - len, "%s%s", i ? " " : "", argv[i]);
    if (n < 0) break;
    len += static_cast<size_t>(n);
  }
}

// Whether the program at `path` (as the caller named it, already searched
// in PATH) may start; reports it when not.
bool ExecAllowed(const char* path, char* const argv[]) {
  if (!g.loaded || !g.exec_restricted) return true;
  char resolved[PATH_MAX];
  if (realpath(path, resolved) == nullptr) {
    struct stat st;
    if (stat(path, &st) != 0) return true;  // nothing there: exec fails
    // There, but under no path (/proc/self/fd/N of a memfd or of a deleted
    // file): in no exec list.
    char args[2048];
    JoinArgs(argv, args, sizeof(args));
    Report("exec", path, args, "a program that no file path holds");
    return !g.block;
  }
  for (int i = 0; i < g.exec_count; ++i) {
    if (dso::rasp::PathUnder(resolved, g.exec[i])) return true;
  }
  char args[2048];
  JoinArgs(argv, args, sizeof(args));
  Report("exec", resolved, args, "not in the policy's exec list");
  return !g.block;
}

// A program run by descriptor (fexecve, execveat with AT_EMPTY_PATH): no
// exec list can name it. Reported, and refused in block mode, unless the
// policy allows execveat.
bool ByDescriptorAllowed(const char* at, char* const argv[],
                         const char* reason) {
  if (!g.loaded || g.execveat_allowed) return true;
  char args[2048];
  JoinArgs(argv, args, sizeof(args));
  Report("exec", at, args, reason);
  return !g.block;
}

// envp with the monitor's variables put back if the caller dropped them,
// in `out` (room for kMaxArgs entries).
char* const* KeepMonitored(char* const envp[], char** out) {
  if (!g.loaded) return envp;
  int n = 0;
  static const char* const kNames[] = {
      "LD_PRELOAD=", "DSO_RASP_POLICY=", "DSO_RASP_SOCKET=", "DSO_RASP_ROOT="};
  for (int i = 0; envp && envp[i] && n < kMaxArgs - 5; ++i) {
    bool ours = false;
    for (const char* name : kNames) {
      ours = ours || !strncmp(envp[i], name, strlen(name));
    }
    if (!ours) out[n++] = envp[i];
  }
  for (const char* keep : g.keep_env) {
    if (keep) out[n++] = const_cast<char*>(keep);
  }
  out[n] = nullptr;
  return out;
}

int DoExecve(const char* path, char* const argv[], char* const envp[]) {
  if (!ExecAllowed(path, argv)) {
    errno = EACCES;
    return -1;
  }
  char* env[kMaxArgs];
  return Real(real_execve, "execve")(path, argv, KeepMonitored(envp, env));
}

int DoExecvpe(const char* file, char* const argv[], char* const envp[]) {
  char found[PATH_MAX];
  if (SearchPath(file, found) && !ExecAllowed(found, argv)) {
    errno = EACCES;
    return -1;
  }
  char* env[kMaxArgs];
  return Real(real_execvpe, "execvpe")(file, argv, KeepMonitored(envp, env));
}

// Collects execl's arguments (after `first`) into `argv`; the pointer past
// the terminating NULL is the envp for execle.
void CollectArgs(const char* first, va_list ap, char** argv,
                 char* const** envp) {
  int n = 0;
  argv[n++] = const_cast<char*>(first);
  while (n < kMaxArgs - 1 && (argv[n] = va_arg(ap, char*)) != nullptr) ++n;
  argv[n] = nullptr;
  if (envp) *envp = va_arg(ap, char* const*);
}

}  // namespace

extern "C" {

int execve(const char* path, char* const argv[], char* const envp[]) {
  return DoExecve(path, argv, envp);
}
int execv(const char* path, char* const argv[]) {
  return DoExecve(path, argv, environ);
}
int execvpe(const char* file, char* const argv[], char* const envp[]) {
  return DoExecvpe(file, argv, envp);
}
int execvp(const char* file, char* const argv[]) {
  return DoExecvpe(file, argv, environ);
}
int execl(const char* path, const char* arg, ...) {
  char* argv[kMaxArgs];
  va_list ap;
  va_start(ap, arg);
  CollectArgs(arg, ap, argv, nullptr);
  va_end(ap);
  return DoExecve(path, argv, environ);
}
int execlp(const char* file, const char* arg, ...) {
  char* argv[kMaxArgs];
  va_list ap;
  va_start(ap, arg);
  CollectArgs(arg, ap, argv, nullptr);
  va_end(ap);
  return DoExecvpe(file, argv, environ);
}
int execle(const char* path, const char* arg, ...) {
  char* argv[kMaxArgs];
  char* const* envp = nullptr;
  va_list ap;
  va_start(ap, arg);
  CollectArgs(arg, ap, argv, &envp);
  va_end(ap);
  return DoExecve(path, argv, envp);
}

int posix_spawn(pid_t* pid, const char* path,
                const posix_spawn_file_actions_t* actions,
                const posix_spawnattr_t* attr, char* const argv[],
                char* const envp[]) {
  if (!ExecAllowed(path, argv)) return EACCES;
  char* env[kMaxArgs];
  return Real(real_posix_spawn, "posix_spawn")(pid, path, actions, attr, argv,
                                               KeepMonitored(envp, env));
}
int posix_spawnp(pid_t* pid, const char* file,
                 const posix_spawn_file_actions_t* actions,
                 const posix_spawnattr_t* attr, char* const argv[],
                 char* const envp[]) {
  char found[PATH_MAX];
  if (SearchPath(file, found) && !ExecAllowed(found, argv)) return EACCES;
  char* env[kMaxArgs];
  return Real(real_posix_spawnp, "posix_spawnp")(pid, file, actions, attr, argv,
                                                 KeepMonitored(envp, env));
}

// A program run by descriptor: checked by what the descriptor names.
int fexecve(int fd, char* const argv[], char* const envp[]) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (!ByDescriptorAllowed(path, argv,
                           "a program run by descriptor (fexecve)")) {
    errno = EPERM;
    return -1;
  }
  if (!ExecAllowed(path, argv)) {
    errno = EACCES;
    return -1;
  }
  char* env[kMaxArgs];
  return Real(real_fexecve, "fexecve")(fd, argv, KeepMonitored(envp, env));
}
int execveat(int dirfd, const char* path, char* const argv[],
             char* const envp[], int flags) {
  char at[PATH_MAX];
  if (path[0] == '/') {
    snprintf(at, sizeof(at), "%s", path);
  } else if (path[0] == '\0' || dirfd != AT_FDCWD) {
    snprintf(at, sizeof(at), "/proc/self/fd/%d%s%s", dirfd, path[0] ? "/" : "",
             path);
  } else {
    snprintf(at, sizeof(at), "%s", path);
  }
  if ((flags & AT_EMPTY_PATH) &&
      !ByDescriptorAllowed(at, argv,
                           "a program run by descriptor (execveat)")) {
    errno = EPERM;
    return -1;
  }
  if (!ExecAllowed(at, argv)) {
    errno = EACCES;
    return -1;
  }
  char* env[kMaxArgs];
  return Real(real_execveat, "execveat")(dirfd, path, argv,
                                         KeepMonitored(envp, env), flags);
}
int memfd_create(const char* name, unsigned flags) {
  if (g.loaded && !g.memfd_allowed) {
    Report("exec", name ? name : "", "memfd_create",
           "memory that could hold a program to run (memfd_create)");
    if (g.block) {
      errno = EPERM;
      return -1;
    }
  }
  return Real(real_memfd_create, "memfd_create")(name, flags);
}

// The C library starts its shell without going through the hooks above.
int system(const char* command) {
  if (command) {
    const char* argv[] = {"sh", "-c", command, nullptr};
    if (!ExecAllowed("/bin/sh", const_cast<char* const*>(argv))) {
      errno = EACCES;
      return -1;
    }
  }
  return Real(real_system, "system")(command);
}
FILE* popen(const char* command, const char* type) {
  const char* argv[] = {"sh", "-c", command, nullptr};
  if (!ExecAllowed("/bin/sh", const_cast<char* const*>(argv))) {
    errno = EACCES;
    return nullptr;
  }
  return Real(real_popen, "popen")(command, type);
}

}  // extern "C"
