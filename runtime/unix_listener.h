// UnixListener: one of the agent's Unix sockets, accepted by the agent
// itself so that each connection's peer (SO_PEERCRED: user and groups) is
// known before gRPC serves it; gRPC's own Unix listener does not say who
// connected. Accepted connections are handed to the gRPC server as
// channels from descriptors, whose calls name the peer "fd:N".
//
//   ASSIGN_OR_RETURN(auto l, UnixListener::Listen("/run/dso/agent.sock",
//   0660)); l->Serve(server.get(), &peers);  // a thread accepts until Stop()
//
// Stop() (and the destructor) ends accepting and removes nothing: the
// socket file is replaced by the next agent's Listen.
#ifndef DSO_RUNTIME_UNIX_LISTENER_H_
#define DSO_RUNTIME_UNIX_LISTENER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "runtime/caller.h"

namespace grpc {
class Server;
}

namespace dso {

// A listening, non-blocking Unix stream socket at `path` with permissions
// `mode` (a stale socket there is replaced, missing parent directories are
// created); its descriptor.
absl::StatusOr<int> ListenUnix(const std::string& path, unsigned mode);

// ListenUnix, and an eventfd that wakes the thread accepting on it.
struct UnixAcceptor {
  int fd, wake_fd;
};
absl::StatusOr<UnixAcceptor> ListenUnixWithWakeup(const std::string& path,
                                                  unsigned mode);

class UnixListener {
 public:
  // Binds `path` (a stale socket there is replaced, missing parent
  // directories are created) with permissions `mode`, and listens.
  static absl::StatusOr<std::unique_ptr<UnixListener>> Listen(
      const std::string& path, unsigned mode);
  ~UnixListener();
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  // Accepts connections on a thread of its own, records each peer in
  // `peers` and hands the connection to `server`; both borrowed until Stop.
  void Serve(grpc::Server* server, UnixPeers* peers);
  void Stop();

  const std::string& path() const { return path_; }

 private:
  UnixListener(std::string path, int fd, int wake_fd)
      : path_(std::move(path)), fd_(fd), wake_fd_(wake_fd) {}
  void AcceptLoop(grpc::Server* server, UnixPeers* peers);

  std::string path_;
  int fd_;
  int wake_fd_;  // an eventfd: written by Stop
  std::thread thread_;
};

}  // namespace dso

#endif  // DSO_RUNTIME_UNIX_LISTENER_H_
