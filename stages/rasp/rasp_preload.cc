// libdso_rasp.so: the monitor dso-run preloads into the protected program.
// It interposes the C library's exec family, posix_spawn, system, popen,
// connect and the open family, checks each call against the policy the
// launcher passed in DSO_RASP_POLICY (policy.h: EncodeForMonitor) and, when
// the policy does not allow it, reports an event to the launcher's socket
// (DSO_RASP_SOCKET) and — in block mode — fails the call with EACCES.
//
// Every hook may run between fork and exec in a multi-threaded program, so
// after start-up nothing here allocates: the policy lives in static storage,
// paths and events are built on the stack. What this layer cannot see —
// static binaries, raw system calls, io_uring — is the kernel layers' job
// (sandbox.h); docs/rasp.md says so.
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
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

#include "stages/rasp/rasp_rules.h"

extern char** environ;

namespace {

using dso::rasp::NetRule;

constexpr int kMaxRules = 64;
constexpr int kMaxArgs = 4096;

// Zero-filled at load time (no initialisers: a constructor for it could
// run after Init).
struct Policy {
  bool loaded;
  bool block;
  bool exec_restricted;
  bool connect_restricted;
  bool write_restricted;
  int exec_count;
  int write_count;
  int connect_count;
  const char* exec[kMaxRules];
  const char* write[kMaxRules];
  NetRule connect[kMaxRules];
  char text[65536];  // the policy's lines, NUL-separated
  sockaddr_un events;
  socklen_t events_len;
  // What a child's environment must carry to stay monitored.
  const char* keep_env[3];
  // System calls the policy takes off the kernel filter's refusals.
  bool memfd_allowed;
  bool execveat_allowed;
};

Policy g;

// The C library's functions behind the hooks, found at start-up (dlsym may
// allocate, so not later).
using ExecveFn = int (*)(const char*, char* const[], char* const[]);
using SpawnFn = int (*)(pid_t*, const char*, const posix_spawn_file_actions_t*,
                        const posix_spawnattr_t*, char* const[], char* const[]);
using OpenFn = int (*)(const char*, int, ...);
using OpenatFn = int (*)(int, const char*, int, ...);
using Open2Fn = int (*)(const char*, int);
using Openat2Fn = int (*)(int, const char*, int);
using FopenFn = FILE* (*)(const char*, const char*);
using FexecveFn = int (*)(int, char* const[], char* const[]);
using ExecveatFn = int (*)(int, const char*, char* const[], char* const[], int);
using MemfdFn = int (*)(const char*, unsigned);
using ChmodFn = int (*)(const char*, mode_t);
using FchmodFn = int (*)(int, mode_t);
using FchmodatFn = int (*)(int, const char*, mode_t, int);
ExecveFn real_execve, real_execvpe;
FexecveFn real_fexecve;
ExecveatFn real_execveat;
MemfdFn real_memfd_create;
ChmodFn real_chmod;
FchmodFn real_fchmod;
FchmodatFn real_fchmodat;
SpawnFn real_posix_spawn, real_posix_spawnp;
int (*real_system)(const char*);
FILE* (*real_popen)(const char*, const char*);
int (*real_connect)(int, const sockaddr*, socklen_t);
OpenFn real_open, real_open64;
OpenatFn real_openat, real_openat64;
Open2Fn real_open_2, real_open64_2;
Openat2Fn real_openat_2, real_openat64_2;
FopenFn real_fopen, real_fopen64;

template <typename F>
F Real(F& slot, const char* name) {
  if (slot == nullptr) slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return slot;
}

void FindRealFunctions() {
  Real(real_execve, "execve");
  Real(real_execvpe, "execvpe");
  Real(real_fexecve, "fexecve");
  Real(real_execveat, "execveat");
  Real(real_memfd_create, "memfd_create");
  Real(real_chmod, "chmod");
  Real(real_fchmod, "fchmod");
  Real(real_fchmodat, "fchmodat");
  Real(real_posix_spawn, "posix_spawn");
  Real(real_posix_spawnp, "posix_spawnp");
  Real(real_system, "system");
  Real(real_popen, "popen");
  Real(real_connect, "connect");
  Real(real_open, "open");
  Real(real_open64, "open64");
  Real(real_openat, "openat");
  Real(real_openat64, "openat64");
  Real(real_open_2, "__open_2");
  Real(real_open64_2, "__open64_2");
  Real(real_openat_2, "__openat_2");
  Real(real_openat64_2, "__openat64_2");
  Real(real_fopen, "fopen");
  Real(real_fopen64, "fopen64");
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
  const char* names[] = {"LD_PRELOAD=", "DSO_RASP_POLICY=", "DSO_RASP_SOCKET="};
  for (int i = 0; i < 3; ++i) {
    for (char** e = environ; e && *e; ++e) {
      if (!strncmp(*e, names[i], strlen(names[i]))) g.keep_env[i] = *e;
    }
  }
  g.loaded = true;
}

__attribute__((constructor)) void Init() {
  FindRealFunctions();
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

// Sends one event to the launcher and says on stderr what was blocked.
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
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      sendto(fd, b.data, b.len, MSG_DONTWAIT | MSG_NOSIGNAL,
             reinterpret_cast<sockaddr*>(&g.events), g.events_len);
      close(fd);
    }
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
      "LD_PRELOAD=", "DSO_RASP_POLICY=", "DSO_RASP_SOCKET="};
  for (int i = 0; envp && envp[i] && n < kMaxArgs - 4; ++i) {
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

// --- connect --------------------------------------------------------------

namespace {

bool ConnectAllowed(const sockaddr* addr, socklen_t len) {
  if (!g.loaded || !g.connect_restricted || addr == nullptr) return true;
  if (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) return true;
  for (int i = 0; i < g.connect_count; ++i) {
    if (dso::rasp::NetRuleMatches(g.connect[i], addr, len)) return true;
  }
  char target[80];
  if (!dso::rasp::FormatSockaddr(addr, len, target, sizeof(target))) {
    return true;
  }
  Report("connect", target, "", "not in the policy's network.connect list");
  return !g.block;
}

}  // namespace

extern "C" int connect(int fd, const sockaddr* addr, socklen_t len) {
  if (!ConnectAllowed(addr, len)) {
    errno = EACCES;
    return -1;
  }
  return Real(real_connect, "connect")(fd, addr, len);
}

// --- open -----------------------------------------------------------------

namespace {

bool WritesTo(int flags) {
  return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
}

// The canonical path `path` (relative to `dirfd`) names, into `out`; for a
// file that does not exist yet, its directory's canonical path plus its
// name. False when even the directory cannot be resolved.
bool Canonical(int dirfd, const char* path, char* out) {
  char full[PATH_MAX];
  if (path[0] == '/') {
    snprintf(full, sizeof(full), "%s", path);
  } else {
    char dir[PATH_MAX];
    if (dirfd == AT_FDCWD) {
      if (getcwd(dir, sizeof(dir)) == nullptr) return false;
    } else {
      char link[64];
      snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
      ssize_t n = readlink(link, dir, sizeof(dir) - 1);
      if (n <= 0) return false;
      dir[n] = '\0';
    }
    int n = snprintf(full, sizeof(full), "%s/%s", dir, path);
    if (n < 0 || static_cast<size_t>(n) >= sizeof(full)) return false;
  }
  if (realpath(full, out)) return true;
  char* slash = strrchr(full, '/');
  if (slash == nullptr) return false;
  char name[NAME_MAX + 1];
  snprintf(name, sizeof(name), "%s", slash + 1);
  if (slash == full) {
    snprintf(out, PATH_MAX, "/%s", name);
    return true;
  }
  *slash = '\0';
  char dir[PATH_MAX];
  if (realpath(full, dir) == nullptr) return false;
  int n = snprintf(out, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", name);
  return n > 0 && n < PATH_MAX;
}

bool UnderWritable(const char* resolved) {
  for (const char* always : dso::rasp::kAlwaysWritable) {
    if (dso::rasp::PathUnder(resolved, always)) return true;
  }
  for (int i = 0; i < g.write_count; ++i) {
    if (dso::rasp::PathUnder(resolved, g.write[i])) return true;
  }
  return false;
}

int FopenFlags(const char* mode);

// How an open for writing is to be checked.
enum class Check {
  kAllow,
  kDeny,
  // Below a writable directory with no symbolic link on the way but,
  // perhaps, the last component: allowed if that is no link either, which
  // the open itself finds out (O_NOFOLLOW) at no extra cost.
  kAllowUnlessLink,
};

// The fast path for the common case: `path` (made absolute) has no "." or
// ".." components and lies below a writable directory (canonical, from the
// launcher): one lstat per directory between that directory and the file,
// instead of resolving the whole path.
bool PlainlyBelowWritable(int dirfd, const char* path) {
  char full[PATH_MAX];
  if (path[0] == '/') {
    if (strlen(path) >= sizeof(full)) return false;
    strcpy(full, path);
  } else {
    if (dirfd != AT_FDCWD || getcwd(full, sizeof(full)) == nullptr) {
      return false;
    }
    size_t len = strlen(full);
    if (len + 1 + strlen(path) >= sizeof(full)) return false;
    full[len] = '/';
    strcpy(full + len + 1, path);
  }
  if (strstr(full, "/./") || strstr(full, "/../") || strstr(full, "//")) {
    return false;
  }
  for (int i = 0; i < g.write_count; ++i) {
    const char* dir = g.write[i];
    if (!dso::rasp::PathUnder(full, dir) || strlen(full) == strlen(dir)) {
      continue;
    }
    for (char* slash = strchr(full + strlen(dir) + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
      *slash = '\0';
      struct stat st;
      bool link = lstat(full, &st) == 0 && S_ISLNK(st.st_mode);
      *slash = '/';
      if (link) return false;
    }
    return true;
  }
  return false;
}

// The whole check: the path resolved as the kernel will; reported when it
// writes outside the writable paths.
bool ResolvedAllowed(int dirfd, const char* path, int flags) {
  char resolved[PATH_MAX];
  char detail[64];
  snprintf(detail, sizeof(detail), "flags=0%o", flags);
  struct stat st;
  if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(st.st_mode) && fstatat(dirfd, path, &st, 0) != 0) {
    // A link to nothing yet: O_CREAT would make its target, wherever.
    Report("open", path, detail, "a symbolic link to a missing file");
    return !g.block;
  }
  if (!Canonical(dirfd, path, resolved)) return true;  // open fails anyway
  if (UnderWritable(resolved)) return true;
  Report("open", resolved, detail, "not under the policy's writable paths");
  return !g.block;
}

Check CheckOpen(int dirfd, const char* path, int flags) {
  if (!g.loaded || !g.write_restricted || path == nullptr || !WritesTo(flags)) {
    return Check::kAllow;
  }
  if (PlainlyBelowWritable(dirfd, path)) return Check::kAllowUnlessLink;
  return ResolvedAllowed(dirfd, path, flags) ? Check::kAllow : Check::kDeny;
}

// Runs `open(flags)` (the C library's call) as the policy allows.
template <typename Open>
int GuardedOpen(int dirfd, const char* path, int flags, Open open) {
  switch (CheckOpen(dirfd, path, flags)) {
    case Check::kAllow:
      return open(flags);
    case Check::kDeny:
      errno = EACCES;
      return -1;
    case Check::kAllowUnlessLink:
      break;
  }
  int fd = open(flags | O_NOFOLLOW);
  if (fd >= 0 || errno != ELOOP || (flags & O_NOFOLLOW)) return fd;
  if (!ResolvedAllowed(dirfd, path, flags)) {  // it was a link
    errno = EACCES;
    return -1;
  }
  return open(flags);
}

FILE* GuardedFopen(const char* path, const char* mode, FopenFn real) {
  int flags = FopenFlags(mode);
  Check check = CheckOpen(AT_FDCWD, path, flags);
  if (check == Check::kAllowUnlessLink) {
    struct stat st;
    bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    check = !link || ResolvedAllowed(AT_FDCWD, path, flags) ? Check::kAllow
                                                            : Check::kDeny;
  }
  if (check == Check::kDeny) {
    errno = EACCES;
    return nullptr;
  }
  return real(path, mode);
}

int FopenFlags(const char* mode) {
  if (mode == nullptr) return 0;
  if (strchr(mode, '+') || mode[0] == 'w' || mode[0] == 'a') return O_WRONLY;
  return 0;
}

mode_t ModeArg(int flags, va_list ap) {
  return (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

}  // namespace

extern "C" {

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return GuardedOpen(AT_FDCWD, path, flags, [&](int f) {
    return Real(real_open, "open")(path, f, mode);
  });
}
int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return GuardedOpen(AT_FDCWD, path, flags, [&](int f) {
    return Real(real_open64, "open64")(path, f, mode);
  });
}
int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return GuardedOpen(dirfd, path, flags, [&](int f) {
    return Real(real_openat, "openat")(dirfd, path, f, mode);
  });
}
int openat64(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = ModeArg(flags, ap);
  va_end(ap);
  return GuardedOpen(dirfd, path, flags, [&](int f) {
    return Real(real_openat64, "openat64")(dirfd, path, f, mode);
  });
}
int creat(const char* path, mode_t mode) {
  return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
int creat64(const char* path, mode_t mode) {
  return open64(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
// What _FORTIFY_SOURCE builds call for open(path, flags) without a mode.
int __open_2(const char* path, int flags) {
  return GuardedOpen(AT_FDCWD, path, flags, [&](int f) {
    return Real(real_open_2, "__open_2")(path, f);
  });
}
int __open64_2(const char* path, int flags) {
  return GuardedOpen(AT_FDCWD, path, flags, [&](int f) {
    return Real(real_open64_2, "__open64_2")(path, f);
  });
}
int __openat_2(int dirfd, const char* path, int flags) {
  return GuardedOpen(dirfd, path, flags, [&](int f) {
    return Real(real_openat_2, "__openat_2")(dirfd, path, f);
  });
}
int __openat64_2(int dirfd, const char* path, int flags) {
  return GuardedOpen(dirfd, path, flags, [&](int f) {
    return Real(real_openat64_2, "__openat64_2")(dirfd, path, f);
  });
}
FILE* fopen(const char* path, const char* mode) {
  return GuardedFopen(path, mode, Real(real_fopen, "fopen"));
}
FILE* fopen64(const char* path, const char* mode) {
  return GuardedFopen(path, mode, Real(real_fopen64, "fopen64"));
}

}  // extern "C"

// --- chmod ----------------------------------------------------------------

namespace {

// True when `mode` sets no setuid or setgid bit, else reported.
bool ModeAllowed(const char* target, mode_t mode) {
  if (!g.loaded || !(mode & (S_ISUID | S_ISGID))) return true;
  char detail[32];
  snprintf(detail, sizeof(detail), "mode %04o", static_cast<unsigned>(mode));
  Report("chmod", target, detail, "sets the setuid or setgid bit");
  return !g.block;
}

}  // namespace

extern "C" {

int chmod(const char* path, mode_t mode) {
  if (!ModeAllowed(path, mode)) {
    errno = EPERM;
    return -1;
  }
  return Real(real_chmod, "chmod")(path, mode);
}
int fchmod(int fd, mode_t mode) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (!ModeAllowed(path, mode)) {
    errno = EPERM;
    return -1;
  }
  return Real(real_fchmod, "fchmod")(fd, mode);
}
int fchmodat(int dirfd, const char* path, mode_t mode, int flags) {
  if (!ModeAllowed(path, mode)) {
    errno = EPERM;
    return -1;
  }
  return Real(real_fchmodat, "fchmodat")(dirfd, path, mode, flags);
}

}  // extern "C"
