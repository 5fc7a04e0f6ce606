// Handing an open descriptor to another process over a connected Unix
// socket (SCM_RIGHTS). Used by the clients of the agent's handle socket
// (agent/input_handles.h) and of the id-mapping service
// (stages/rasp/idmap_service.h); each side's receiver checks what it gets.
// Plain system calls only, so that dso-run can use it.
#ifndef DSO_STAGES_CORE_FD_PASSING_H_
#define DSO_STAGES_CORE_FD_PASSING_H_

#include <string_view>

namespace dso {

// Sends `bytes` (not empty) on `sock` with a copy of descriptor `fd`
// attached. True when all of `bytes` went; false with errno set otherwise.
// The caller still owns `fd`.
bool SendWithDescriptor(int sock, std::string_view bytes, int fd);

}  // namespace dso

#endif  // DSO_STAGES_CORE_FD_PASSING_H_
