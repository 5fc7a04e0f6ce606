#include "runtime/worker_pool.h"

namespace dso {

WorkerPool::~WorkerPool() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
    changed_.SignalAll();
  }
  for (auto& t : threads) t.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
  if (idle_ < static_cast<int>(tasks_.size())) {
    threads_.emplace_back([this] { Work(); });
  }
  changed_.Signal();
}

void WorkerPool::Work() {
  absl::MutexLock lock(&mu_);
  while (true) {
    ++idle_;
    while (tasks_.empty() && !stopping_) changed_.Wait(&mu_);
    --idle_;
    if (tasks_.empty()) return;  // stopping
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    mu_.Unlock();
    task();
    mu_.Lock();
  }
}

}  // namespace dso
