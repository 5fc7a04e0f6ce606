// Handing an open descriptor to another process over a connected Unix
// socket (SCM_RIGHTS). Used by the clients of the agent's handle socket
// (runtime/input_handles.h) and of the id-mapping service
// (stages/rasp/internal/idmap_service.h); each side's receiver checks what it gets.
// Plain system calls only, so that dso-run can use it.
#ifndef DSO_STAGES_CORE_FD_PASSING_H_
#define DSO_STAGES_CORE_FD_PASSING_H_

#include <string>
#include <string_view>

namespace dso {

// Sends `bytes` (not empty) on `sock` with a copy of descriptor `fd`
// attached. True when all of `bytes` went; false with errno set otherwise.
// The caller still owns `fd`.
bool SendWithDescriptor(int sock, std::string_view bytes, int fd);

// One exchange with a service on the Unix socket at `path`: connects,
// sends `request` with `fd` attached, and reads the answer up to its first
// newline (at most `max_reply` bytes; what a service says in one line),
// each step waiting at most `timeout_seconds`. On success `*reply` holds
// the line without its newline ("" when the service closed without one).
// On failure, false with `*error` saying which step failed and why.
bool ExchangeWithDescriptor(const std::string& path, std::string_view request,
                            int fd, int timeout_seconds, size_t max_reply,
                            std::string* reply, std::string* error);

}  // namespace dso

#endif  // DSO_STAGES_CORE_FD_PASSING_H_
