// CancellationToken: a one-shot, thread-safe "stop now" signal with a reason.
//
// The run manager owns one per run and cancels it on a client's request, on
// deadline expiry or at agent shutdown. Steps poll cancelled() or wait on
// fd(), an eventfd that becomes readable once the token is cancelled, so a
// step blocked in poll() wakes up at once.
#ifndef DSO_STAGES_CORE_CANCELLATION_H_
#define DSO_STAGES_CORE_CANCELLATION_H_

#include <atomic>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace dso {

enum class CancelReason { kNone, kRequested, kDeadline, kShutdown };

class CancellationToken {
 public:
  CancellationToken();
  ~CancellationToken();
  CancellationToken(const CancellationToken&) = delete;
  CancellationToken& operator=(const CancellationToken&) = delete;

  // The first call wins; later calls keep the first reason.
  void Cancel(CancelReason reason, std::string message);
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  CancelReason reason() const;
  std::string message() const;
  // Readable once cancelled. Owned by the token.
  int fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_;
  mutable absl::Mutex mu_;
  CancelReason reason_ ABSL_GUARDED_BY(mu_) = CancelReason::kNone;
  std::string message_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dso

#endif  // DSO_STAGES_CORE_CANCELLATION_H_
