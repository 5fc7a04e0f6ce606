#include "stages/core/cancellation.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace dso {

CancellationToken::CancellationToken() = default;

CancellationToken::~CancellationToken() { CloseFd(); }

int CancellationToken::fd() const {
  absl::MutexLock lock(&mu_);
  if (fd_ < 0) {
    fd_ = eventfd(reason_ != CancelReason::kNone ? 1 : 0,
                  EFD_CLOEXEC | EFD_NONBLOCK);
  }
  return fd_;
}

void CancellationToken::CloseFd() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void CancellationToken::Cancel(CancelReason reason, std::string message) {
  absl::MutexLock lock(&mu_);
  if (reason_ != CancelReason::kNone) return;
  reason_ = reason;
  message_ = std::move(message);
  cancelled_.store(true, std::memory_order_release);
  uint64_t one = 1;
  if (fd_ >= 0) (void)!write(fd_, &one, sizeof(one));
}

CancelReason CancellationToken::reason() const {
  absl::MutexLock lock(&mu_);
  return reason_;
}

std::string CancellationToken::message() const {
  absl::MutexLock lock(&mu_);
  return message_;
}

}  // namespace dso
