#include "stages/core/fd_io.h"

#include <unistd.h>

#include <cerrno>

namespace dso {

namespace {

// Calls write_some(p, n, done) (a write(2) of n bytes at p, `done` bytes
// already written) until all of `data` is written, retrying EINTR.
template <typename WriteSome>
bool WriteLoop(absl::string_view data, WriteSome write_some) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write_some(data.data() + done, data.size() - done, done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += n;
  }
  return true;
}

}  // namespace

bool WriteAll(int fd, absl::string_view data) {
  return WriteLoop(
      data, [fd](const char* p, size_t n, size_t) { return write(fd, p, n); });
}

bool PwriteAll(int fd, absl::string_view data, uint64_t offset) {
  return WriteLoop(data, [fd, offset](const char* p, size_t n, size_t done) {
    return pwrite(fd, p, n, static_cast<off_t>(offset + done));
  });
}

}  // namespace dso
