#include "stages/core/fd_io.h"

#include <unistd.h>

#include <cerrno>

namespace dso {

bool WriteAll(int fd, absl::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    off += n;
  }
  return true;
}

bool PwriteAll(int fd, absl::string_view data, uint64_t offset) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = pwrite(fd, data.data() + off, data.size() - off,
                       static_cast<off_t>(offset + off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    off += n;
  }
  return true;
}

}  // namespace dso
