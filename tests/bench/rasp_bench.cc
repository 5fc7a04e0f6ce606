// A syscall-heavy workload for the RASP overhead benchmark (rasp.sh):
//   dso_rasp_bench files N DIR    N rounds of: create+write+close a file in
//                                 DIR, open it again to read, close
//   dso_rasp_bench connect N      N TCP connections to a listener on
//                                 loopback in this process, each closed
// Prints the elapsed wall seconds. Run plainly and under dso-run; the
// ratio is the monitor's overhead on the calls it checks.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

int Files(long n, const std::string& dir) {
  std::string path = dir + "/bench-file";
  for (long i = 0; i < n; ++i) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16) {
      perror(path.c_str());
      return 1;
    }
    close(fd);
    fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) return 1;
    close(fd);
  }
  return 0;
}

int Connects(long n) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(listener, 512) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    perror("listen");
    return 1;
  }
  std::thread acceptor([&] {
    for (long i = 0; i < n; ++i) {
      int c = accept(listener, nullptr, nullptr);
      if (c >= 0) close(c);
    }
  });
  for (long i = 0; i < n; ++i) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      perror("connect");
      return 1;
    }
    close(s);
  }
  acceptor.join();
  close(listener);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s files N DIR | connect N\n", argv[0]);
    return 2;
  }
  long n = atol(argv[2]);
  auto start = std::chrono::steady_clock::now();
  int rc = !strcmp(argv[1], "files") && argc > 3 ? Files(n, argv[3])
           : !strcmp(argv[1], "connect")         ? Connects(n)
                                                 : 2;
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  printf("%.4f\n", took.count());
  return rc;
}
