#include "runtime/metrics_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "stages/core/fd_io.h"

namespace dso {

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& address, const AgentMetrics* metrics) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address '", address, "' must be host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 1 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(),
                  std::to_string(port).c_str(), &hints, &res) != 0 ||
      !res) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address '", address, "' cannot be resolved"));
  }
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
      listen(fd, 16) != 0) {
    std::string err = strerror(errno);
    freeaddrinfo(res);
    if (fd >= 0) close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on '", address, "': ", err));
  }
  freeaddrinfo(res);
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  int actual = ntohs(bound.ss_family == AF_INET6
                         ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                         : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(fd, actual, metrics));
}

MetricsHttpServer::MetricsHttpServer(int fd, int port,
                                     const AgentMetrics* metrics)
    : fd_(fd), port_(port), metrics_(metrics) {
  // Threads race for each connection: the listener must not block.
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  for (int i = 0; i < kThreads; ++i) {
    threads_.emplace_back([this] { Serve(); });
  }
}

MetricsHttpServer::~MetricsHttpServer() {
  stop_ = true;
  shutdown(fd_, SHUT_RDWR);
  for (auto& t : threads_) t.join();
  close(fd_);
}

void MetricsHttpServer::Serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{kRequestMillis / 1000, 0};
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    // The whole request within kRequestMillis, however it trickles in.
    absl::Time deadline = absl::Now() + absl::Milliseconds(kRequestMillis);
    std::string req;
    char buf[2048];
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 8192) {
      int left =
          static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      pollfd in{c, POLLIN, 0};
      if (left <= 0 || poll(&in, 1, left) <= 0) break;
      ssize_t n = read(c, buf, sizeof(buf));
      if (n <= 0) break;
      req.append(buf, n);
    }
    std::string status = "200 OK",
                type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
    if (req.find("\r\n\r\n") == std::string::npos) {
      status = "408 Request Timeout";
      type = "text/plain";
      body = "the request did not arrive in time\n";
    } else if (absl::StartsWith(req, "GET /metrics ") ||
               absl::StartsWith(req, "GET /metrics?")) {
      body = metrics_->Render();
    } else if (absl::StartsWith(req, "GET ")) {
      status = "404 Not Found";
      type = "text/plain";
      body = "only /metrics is served here\n";
    } else {
      status = "405 Method Not Allowed";
      type = "text/plain";
      body = "use GET /metrics\n";
    }
    std::string resp =
        absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", type,
                     "\r\nContent-Length: ", body.size(),
                     "\r\nConnection: close\r\n\r\n", body);
    (void)WriteAll(c, resp);  // a client that went away gets nothing
    close(c);
  }
}

}  // namespace dso
