// dso-idmap: the id-mapping service (idmap_service.h).
//   dso-idmap                         socket-activated by systemd
//                                     (packaging/dso-idmap.socket)
//   dso-idmap --listen PATH [--group NAME] [--mode OCTAL]
//                                     listens itself (tests, other inits)
// Serves one client at a time, each within 2 s; logs each request to
// stderr (the journal under systemd).
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "stages/rasp/internal/idmap_service.h"

namespace {

void Log(const std::string& line) {
  std::string out = "dso-idmap: " + line + "\n";
  (void)!write(STDERR_FILENO, out.data(), out.size());
}

// The socket systemd passed (LISTEN_PID is this process, LISTEN_FDS 1).
int ActivatedSocket() {
  const char* pid = getenv("LISTEN_PID");
  const char* fds = getenv("LISTEN_FDS");
  int64_t p = 0;
  if (pid == nullptr || fds == nullptr || !absl::SimpleAtoi(pid, &p) ||
      p != getpid() || std::string(fds) != "1") {
    return -1;
  }
  return 3;  // SD_LISTEN_FDS_START
}

int Listen(const std::string& path, const std::string& group,
           const std::string& mode) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    Log("the socket path is too long: " + path);
    return -1;
  }
  memcpy(addr.sun_path, path.data(), path.size());
  uint32_t bits = 0;
  if (mode.empty() || mode.size() > 4 ||
      mode.find_first_not_of("01234567") != std::string::npos) {
    Log("--mode takes octal permissions, such as 0660: " + mode);
    return -1;
  }
  bits = static_cast<uint32_t>(std::strtoul(mode.c_str(), nullptr, 8));
  gid_t gid = static_cast<gid_t>(-1);
  if (!group.empty()) {
    const struct group* g = getgrnam(group.c_str());
    if (g == nullptr) {
      Log("no group " + group);
      return -1;
    }
    gid = g->gr_gid;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    unlink(path.c_str());  // a previous run's
  }
  mode_t old = umask(0177);
  bool bound = fd >= 0 &&
               bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  umask(old);
  if (!bound || chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0 ||
      chmod(path.c_str(), bits) != 0 || listen(fd, 16) != 0) {
    Log("cannot listen on " + path + ": " + strerror(errno));
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, group, mode = "0660";
  CLI::App app{"dso-idmap: maps deployed programs' users for the dso agent"};
  app.add_option("--listen", path,
                 "listen on this Unix socket (else: the "
                 "socket systemd passes)");
  app.add_option("--group", group, "the socket's group (the agent's)");
  app.add_option("--mode", mode, "the socket's permissions (default: 0660)");
  CLI11_PARSE(app, argc, argv);
  signal(SIGPIPE, SIG_IGN);
  int listener = path.empty() ? ActivatedSocket() : Listen(path, group, mode);
  if (listener < 0) {
    if (path.empty()) Log("no socket: give --listen PATH, or start by systemd");
    return 2;
  }
  Log("serving");
  while (true) {
    int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      Log(std::string("accept: ") + strerror(errno));
      if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) {
        sleep(1);
        continue;
      }
      return 1;
    }
    auto done = dso::ServeIdMapClient(conn, absl::Seconds(2));
    close(conn);
    Log(done.ok() ? *done : std::string(done.status().message()));
  }
}
