// CancellationToken: a one-shot, thread-safe "stop now" signal with a reason.
//
// The run manager owns one per run and cancels it on a client's request, on
// deadline expiry or at agent shutdown. Steps poll cancelled() or wait on
// fd(), an eventfd that becomes readable once the token is cancelled, so a
// step blocked in poll() wakes up at once. The eventfd is made on the first
// fd() and closed by CloseFd(): an agent keeps a token for each of its
// (up to a thousand) kept runs, and only running ones need a descriptor.
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
  // Readable once cancelled; -1 if no eventfd can be made. Owned by the
  // token, valid until CloseFd().
  int fd() const;
  // For when nobody waits any more (the run has ended).
  void CloseFd();

 private:
  std::atomic<bool> cancelled_{false};
  mutable absl::Mutex mu_;
  mutable int fd_ ABSL_GUARDED_BY(mu_) = -1;
  CancelReason reason_ ABSL_GUARDED_BY(mu_) = CancelReason::kNone;
  std::string message_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dso

#endif  // DSO_STAGES_CORE_CANCELLATION_H_
