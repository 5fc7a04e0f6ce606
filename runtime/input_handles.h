// InputHandles: directories (or files) a client on this machine opened
// itself and handed to the agent, so that a run reads them in place instead
// of a tar of them uploaded into the artifact store (a 60 MB tree: no copy,
// no unpacking, nothing left in the store).
//
// The agent listens on a Unix socket of its own for them, beside its main
// socket (`<socket>.handles`, same mode; AgentInfo.handle_socket names it).
// A client connects, sends one byte with the descriptor (SCM_RIGHTS), and
// reads back one line: "OK <handle>" or "ERR <why>". The handle names the
// descriptor in an Input (Input.handle) of a run the same identity starts
// within kHandleLifetime; the run owns it from then on.
//
// The trust boundary stays: the agent reads beneath the descriptor with its
// own permissions, so it takes one only from a peer whose permissions
// include the agent's — its own user, or root (SO_PEERCRED); from anyone
// else it answers ERR and the client sends a tar, as before. Handles are
// bounded in number (per identity and in all) and expire unused.
#ifndef DSO_RUNTIME_INPUT_HANDLES_H_
#define DSO_RUNTIME_INPUT_HANDLES_H_

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dso {

inline constexpr absl::Duration kHandleLifetime = absl::Minutes(5);

class InputHandles {
 public:
  // Binds `path` with permissions `mode` (as UnixListener::Listen) and
  // accepts on a thread of its own until destroyed.
  static absl::StatusOr<std::unique_ptr<InputHandles>> Listen(
      const std::string& path, unsigned mode);
  ~InputHandles();  // stops accepting, closes every descriptor not taken
  InputHandles(const InputHandles&) = delete;
  InputHandles& operator=(const InputHandles&) = delete;

  const std::string& path() const { return path_; }

  // OK when `handle` is live and was handed over by `identity`, else
  // UnknownInputHandle.
  absl::Status Check(const std::string& handle, const std::string& identity);
  // Its descriptor, from now on the caller's to close; NOT_FOUND when the
  // handle is unknown, expired, taken, or another identity's.
  absl::StatusOr<int> Take(const std::string& handle,
                           const std::string& identity);

  static constexpr size_t kMaxPerIdentity = 64;
  static constexpr size_t kMaxHandles = 1024;

 private:
  InputHandles(std::string path, int fd, int wake_fd);
  void AcceptLoop();
  void Receive(int conn);  // one client's descriptor, answered
  void ExpireLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  struct Entry {
    int fd;
    std::string identity;
    absl::Time expires;
  };
  // `handle`'s live entry if it is `identity`'s, after expiring the old.
  absl::StatusOr<std::map<std::string, Entry>::iterator> FindLocked(
      const std::string& handle, const std::string& identity)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string path_;
  int fd_;
  int wake_fd_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// NOT_FOUND for a handle this agent does not hold for `identity`.
absl::Status UnknownInputHandle(const std::string& handle,
                                const std::string& identity);

// INVALID_ARGUMENT unless `name` (Input.handle_name) is one plain file
// name: not empty, no '/', not "." or "..", no control characters, at most
// 255 bytes.
absl::Status CheckHandleName(const std::string& name);

// Agent side, for a handle of a single file: copies what `fd` reads into
// `dir`/`name` (created), at most `max_bytes` — the run gets a directory
// holding that one file, as a tar of it would give, without the tar, the
// upload or the store. An error names the file and the limit.
absl::Status CopyHandedFile(int fd, const std::string& dir,
                            const std::string& name, uint64_t max_bytes);

// Client side (dsoctl): hands `fd` to the agent's handle socket at `path`;
// the handle, or an error saying why not (the caller then uploads).
absl::StatusOr<std::string> HandOver(const std::string& path, int fd);

}  // namespace dso

#endif  // DSO_RUNTIME_INPUT_HANDLES_H_
