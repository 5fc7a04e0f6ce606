// WorkerPool: threads that run the agent's runs. Threads are started on
// demand and then kept, so a run does not pay for a thread start. The
// caller bounds the work it submits (the run manager admits at most
// max_concurrent_runs); the pool itself does not queue without limit: it
// grows to the number of tasks in flight. Thread-safe.
#ifndef DSO_RUNTIME_WORKER_POOL_H_
#define DSO_RUNTIME_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace dso {

class WorkerPool {
 public:
  WorkerPool() = default;
  ~WorkerPool();  // waits for running tasks, then joins every thread
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();
  absl::Mutex mu_;
  // Signalled when a task arrives or the pool stops. A CondVar, not
  // Mutex::Await: Debian's Abseil calibrates the CPU clock (sleeping 3 ms,
  // with the mutex's spin bit held) on the first Await that has to wait,
  // which short-lived dsoctl processes paid for on every command.
  absl::CondVar changed_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  int idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dso

#endif  // DSO_RUNTIME_WORKER_POOL_H_
