// Writing a whole buffer to a file descriptor, retrying short writes and
// EINTR: the one loop every writer of files and sockets here needs.
#ifndef DSO_STAGES_CORE_FD_IO_H_
#define DSO_STAGES_CORE_FD_IO_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace dso {

// True when every byte was written; false with errno set by the failing
// write(2) otherwise (some bytes may have been written).
bool WriteAll(int fd, absl::string_view data);
// The same at file offset `offset` (pwrite(2)); the file offset is unchanged.
bool PwriteAll(int fd, absl::string_view data, uint64_t offset);

}  // namespace dso

#endif  // DSO_STAGES_CORE_FD_IO_H_
