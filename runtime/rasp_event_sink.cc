#include "runtime/rasp_event_sink.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/ecs_log.h"
#include "nlohmann/json.hpp"

namespace dso {

std::string RaspEventSocketPath(const std::string& data_dir) {
  return data_dir + "/rasp-events.sock";
}

absl::StatusOr<std::unique_ptr<RaspEventSink>> RaspEventSink::Open(
    const std::string& path, AgentMetrics& metrics) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the RASP event socket's path is too long: ", path));
  }
  strcpy(addr.sun_path, path.c_str());
  unlink(path.c_str());  // a stale socket from a dead agent
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))) {
    int err = errno;
    if (fd >= 0) close(fd);
    return absl::UnavailableError(absl::StrCat(
        "cannot listen for RASP events on ", path, ": ", strerror(err)));
  }
  // The launchers (dso-run, started by the agent) send as the agent's user;
  // one running as another user needs the agent's group. Every datagram
  // carries its sender's pid and uid, vouched for by the kernel.
  chmod(path.c_str(), 0660);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
  int stop = eventfd(0, EFD_CLOEXEC);
  return std::unique_ptr<RaspEventSink>(
      new RaspEventSink(path, fd, stop, metrics));
}

RaspEventSink::RaspEventSink(std::string path, int fd, int stop_fd,
                             AgentMetrics& metrics)
    : path_(std::move(path)), fd_(fd), stop_fd_(stop_fd), metrics_(metrics) {
  thread_ = std::thread([this] { Loop(); });
}

RaspEventSink::~RaspEventSink() {
  uint64_t one = 1;
  ssize_t ignored = write(stop_fd_, &one, sizeof(one));
  (void)ignored;
  thread_.join();
  close(fd_);
  close(stop_fd_);
  unlink(path_.c_str());
}

namespace {

// Events a sender may report: a burst of kBurst, then kPerSecond. A
// deployment is one launcher process, so its pid is the key.
class SenderRates {
 public:
  bool Allow(pid_t pid, absl::Time now) {
    if (buckets_.size() > kMaxSenders) buckets_.clear();  // forget the idle
    Bucket& b = buckets_.try_emplace(pid, Bucket{kBurst, now}).first->second;
    b.tokens = std::min(
        kBurst, b.tokens + absl::ToDoubleSeconds(now - b.last) * kPerSecond);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

 private:
  static constexpr double kPerSecond = 100, kBurst = 1000;
  static constexpr size_t kMaxSenders = 4096;
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  std::map<pid_t, Bucket> buckets_;
};

}  // namespace

void RaspEventSink::Loop() {
  char buf[8192];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  SenderRates rates;
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    for (;;) {
      iovec iov{buf, sizeof(buf)};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t n = recvmsg(fd_, &msg, 0);
      if (n <= 0) break;
      ucred sender{};
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          memcpy(&sender, CMSG_DATA(c), sizeof(sender));
        }
      }
      if (!rates.Allow(sender.pid, absl::Now())) {
        metrics_.RaspEventDropped();
        continue;
      }
      auto e = nlohmann::json::parse(buf, buf + n, nullptr, false);
      if (e.is_discarded() || !e.is_object()) continue;
      auto str = [&e](const char* key) {
        auto it = e.find(key);
        return it != e.end() && it->is_string() ? it->get<std::string>()
                                                : std::string();
      };
      std::string kind = str("kind"), decision = str("decision");
      if (kind.empty()) continue;
      metrics_.RaspEvent(kind, decision);
      LogFields fields = {
          {"dso.deployment", str("deployment")},
          {"dso.rasp.kind", kind},
          {"dso.rasp.sender",
           absl::StrCat("pid ", sender.pid, " uid ", sender.uid)}};
      if (!decision.empty()) {
        fields.push_back({"dso.rasp.decision", decision});
        fields.push_back({"dso.rasp.target", str("what")});
        fields.push_back({"dso.rasp.reason", str("reason")});
        fields.push_back({"process.executable", str("exe")});
        if (e.contains("pid") && e["pid"].is_number_integer()) {
          fields.push_back({"process.pid", e["pid"].dump()});
        }
      }
      std::string message =
          absl::StrCat("rasp: ", kind, " ", decision, " ", str("what"));
      if (decision == "blocked") {
        LogWarn(message, fields);
      } else {
        LogInfo(message, fields);
      }
    }
  }
}

}  // namespace dso
