// The monitor's file hooks (rasp_preload.h): opens for writing, creat and
// fopen outside the policy's writable paths; chmod setting the setuid or
// setgid bit anywhere; and attribute changes — chmod, chown, utimes,
// extended attributes — outside the writable paths.
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>

#include "stages/rasp/internal/rasp_preload.h"

namespace {

using namespace dso::rasp_preload;  // NOLINT: the monitor's own parts

using OpenFn = int (*)(const char*, int, ...);
using OpenatFn = int (*)(int, const char*, int, ...);
using Open2Fn = int (*)(const char*, int);
using Openat2Fn = int (*)(int, const char*, int);
using FopenFn = FILE* (*)(const char*, const char*);
OpenFn real_open, real_open64;
OpenatFn real_openat, real_openat64;
Open2Fn real_open_2, real_open64_2;
Openat2Fn real_openat_2, real_openat64_2;
FopenFn real_fopen, real_fopen64;
int (*real_chmod)(const char*, mode_t);
int (*real_fchmod)(int, mode_t);
int (*real_fchmodat)(int, const char*, mode_t, int);
int (*real_chown)(const char*, uid_t, gid_t);
int (*real_lchown)(const char*, uid_t, gid_t);
int (*real_fchown)(int, uid_t, gid_t);
int (*real_fchownat)(int, const char*, uid_t, gid_t, int);
int (*real_utime)(const char*, const utimbuf*);
int (*real_utimes)(const char*, const timeval*);
int (*real_lutimes)(const char*, const timeval*);
int (*real_futimes)(int, const timeval*);
int (*real_futimesat)(int, const char*, const timeval*);
int (*real_futimens)(int, const timespec*);
int (*real_utimensat)(int, const char*, const timespec*, int);
int (*real_setxattr)(const char*, const char*, const void*, size_t, int);
int (*real_lsetxattr)(const char*, const char*, const void*, size_t, int);
int (*real_fsetxattr)(int, const char*, const void*, size_t, int);
int (*real_removexattr)(const char*, const char*);
int (*real_lremovexattr)(const char*, const char*);
int (*real_fremovexattr)(int, const char*);

}  // namespace

namespace dso::rasp_preload {

void FindFileFunctions() {
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
  Real(real_chmod, "chmod");
  Real(real_fchmod, "fchmod");
  Real(real_fchmodat, "fchmodat");
  Real(real_chown, "chown");
  Real(real_lchown, "lchown");
  Real(real_fchown, "fchown");
  Real(real_fchownat, "fchownat");
  Real(real_utime, "utime");
  Real(real_utimes, "utimes");
  Real(real_lutimes, "lutimes");
  Real(real_futimes, "futimes");
  Real(real_futimesat, "futimesat");
  Real(real_futimens, "futimens");
  Real(real_utimensat, "utimensat");
  Real(real_setxattr, "setxattr");
  Real(real_lsetxattr, "lsetxattr");
  Real(real_fsetxattr, "fsetxattr");
  Real(real_removexattr, "removexattr");
  Real(real_lremovexattr, "lremovexattr");
  Real(real_fremovexattr, "fremovexattr");
}

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

bool DescriptorPath(int fd, char* out) {
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, PATH_MAX - 1);
  if (n <= 0) return false;
  out[n] = '\0';
  return true;
}

}  // namespace dso::rasp_preload

// --- open -----------------------------------------------------------------

namespace {

bool WritesTo(int flags) {
  return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
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

// --- attributes -----------------------------------------------------------

namespace {

constexpr char kAttrReason[] =
    "changes a file's attributes outside the policy's writable paths";

// True when `mode` sets no setuid or setgid bit, else reported.
bool ModeAllowed(const char* target, mode_t mode) {
  if (!g.loaded || !(mode & (S_ISUID | S_ISGID))) return true;
  char detail[32];
  snprintf(detail, sizeof(detail), "mode %04o", static_cast<unsigned>(mode));
  Report("chmod", target, detail, "sets the setuid or setgid bit");
  return !g.block;
}

// Whether `call` may change the attributes (mode, owner, times, extended
// attributes) of `path` relative to `dirfd`, or of descriptor `fd` when
// `path` is null: only below the writable paths when the policy restricts
// writes. `nofollow`: the call acts on a link itself, not its target.
bool AttrAllowed(const char* call, int dirfd, const char* path, int fd,
                 bool nofollow = false) {
  if (!g.loaded || !g.write_restricted) return true;
  char resolved[PATH_MAX];
  if (path == nullptr || path[0] == '\0') {
    if (!DescriptorPath(path == nullptr ? fd : dirfd, resolved)) return true;
    // Pipes, sockets, memfds: no file of the tree.
    if (resolved[0] != '/') return true;
  } else if (nofollow) {
    // The link itself: its directory resolved, its own name kept.
    char dir[PATH_MAX];
    const char* slash = strrchr(path, '/');
    if (slash == nullptr) {
      if (!Canonical(dirfd, ".", dir)) return true;
      int n = snprintf(resolved, sizeof(resolved), "%s/%s", dir, path);
      if (n < 0 || n >= PATH_MAX) return true;  // the call fails anyway
    } else {
      snprintf(dir, sizeof(dir), "%.*s", static_cast<int>(slash - path) + 1,
               path);
      char real_dir[PATH_MAX];
      if (!Canonical(dirfd, dir, real_dir)) return true;
      int n =
          snprintf(resolved, sizeof(resolved), "%s/%s", real_dir, slash + 1);
      if (n < 0 || n >= PATH_MAX) return true;
    }
  } else if (!Canonical(dirfd, path, resolved)) {
    return true;  // nothing there: the call fails anyway
  }
  if (UnderWritable(resolved)) return true;
  Report("attr", resolved, call, kAttrReason);
  return !g.block;
}

int Refused() {
  errno = EPERM;
  return -1;
}

}  // namespace

extern "C" {

int chmod(const char* path, mode_t mode) {
  if (!ModeAllowed(path, mode) || !AttrAllowed("chmod", AT_FDCWD, path, -1)) {
    return Refused();
  }
  return Real(real_chmod, "chmod")(path, mode);
}
int fchmod(int fd, mode_t mode) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (!ModeAllowed(path, mode) || !AttrAllowed("fchmod", -1, nullptr, fd)) {
    return Refused();
  }
  return Real(real_fchmod, "fchmod")(fd, mode);
}
int fchmodat(int dirfd, const char* path, mode_t mode, int flags) {
  if (!ModeAllowed(path, mode) ||
      !AttrAllowed("fchmodat", dirfd, path, -1, flags & AT_SYMLINK_NOFOLLOW)) {
    return Refused();
  }
  return Real(real_fchmodat, "fchmodat")(dirfd, path, mode, flags);
}

int chown(const char* path, uid_t uid, gid_t gid) {
  if (!AttrAllowed("chown", AT_FDCWD, path, -1)) return Refused();
  return Real(real_chown, "chown")(path, uid, gid);
}
int lchown(const char* path, uid_t uid, gid_t gid) {
  if (!AttrAllowed("lchown", AT_FDCWD, path, -1, true)) return Refused();
  return Real(real_lchown, "lchown")(path, uid, gid);
}
int fchown(int fd, uid_t uid, gid_t gid) {
  if (!AttrAllowed("fchown", -1, nullptr, fd)) return Refused();
  return Real(real_fchown, "fchown")(fd, uid, gid);
}
int fchownat(int dirfd, const char* path, uid_t uid, gid_t gid, int flags) {
  if (!AttrAllowed("fchownat", dirfd, path, -1, flags & AT_SYMLINK_NOFOLLOW)) {
    return Refused();
  }
  return Real(real_fchownat, "fchownat")(dirfd, path, uid, gid, flags);
}

int utime(const char* path, const utimbuf* times) {
  if (!AttrAllowed("utime", AT_FDCWD, path, -1)) return Refused();
  return Real(real_utime, "utime")(path, times);
}
int utimes(const char* path, const timeval times[2]) {
  if (!AttrAllowed("utimes", AT_FDCWD, path, -1)) return Refused();
  return Real(real_utimes, "utimes")(path, times);
}
int lutimes(const char* path, const timeval times[2]) {
  if (!AttrAllowed("lutimes", AT_FDCWD, path, -1, true)) return Refused();
  return Real(real_lutimes, "lutimes")(path, times);
}
int futimes(int fd, const timeval times[2]) {
  if (!AttrAllowed("futimes", -1, nullptr, fd)) return Refused();
  return Real(real_futimes, "futimes")(fd, times);
}
int futimesat(int dirfd, const char* path, const timeval times[2]) {
  if (!AttrAllowed("futimesat", dirfd, path, -1)) return Refused();
  return Real(real_futimesat, "futimesat")(dirfd, path, times);
}
int futimens(int fd, const timespec times[2]) {
  if (!AttrAllowed("futimens", -1, nullptr, fd)) return Refused();
  return Real(real_futimens, "futimens")(fd, times);
}
int utimensat(int dirfd, const char* path, const timespec times[2], int flags) {
  if (!AttrAllowed("utimensat", dirfd, path, dirfd,
                   flags & AT_SYMLINK_NOFOLLOW)) {
    return Refused();
  }
  return Real(real_utimensat, "utimensat")(dirfd, path, times, flags);
}

int setxattr(const char* path, const char* name, const void* value, size_t size,
             int flags) {
  if (!AttrAllowed("setxattr", AT_FDCWD, path, -1)) return Refused();
  return Real(real_setxattr, "setxattr")(path, name, value, size, flags);
}
int lsetxattr(const char* path, const char* name, const void* value,
              size_t size, int flags) {
  if (!AttrAllowed("lsetxattr", AT_FDCWD, path, -1, true)) return Refused();
  return Real(real_lsetxattr, "lsetxattr")(path, name, value, size, flags);
}
int fsetxattr(int fd, const char* name, const void* value, size_t size,
              int flags) {
  if (!AttrAllowed("fsetxattr", -1, nullptr, fd)) return Refused();
  return Real(real_fsetxattr, "fsetxattr")(fd, name, value, size, flags);
}
int removexattr(const char* path, const char* name) {
  if (!AttrAllowed("removexattr", AT_FDCWD, path, -1)) return Refused();
  return Real(real_removexattr, "removexattr")(path, name);
}
int lremovexattr(const char* path, const char* name) {
  if (!AttrAllowed("lremovexattr", AT_FDCWD, path, -1, true)) {
    return Refused();
  }
  return Real(real_lremovexattr, "lremovexattr")(path, name);
}
int fremovexattr(int fd, const char* name) {
  if (!AttrAllowed("fremovexattr", -1, nullptr, fd)) return Refused();
  return Real(real_fremovexattr, "fremovexattr")(fd, name);
}

}  // extern "C"
