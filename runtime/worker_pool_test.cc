#include "runtime/worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskConcurrently) {
  std::atomic<int> done{0};
  {
    WorkerPool pool;
    // Tasks that wait for each other only finish if they run at once.
    absl::Notification all_started;
    std::atomic<int> started{0};
    for (int i = 0; i < 4; ++i) {
      pool.Submit([&] {
        if (++started == 4) all_started.Notify();
        all_started.WaitForNotification();
        ++done;
      });
    }
    all_started.WaitForNotification();
    for (int i = 0; i < 100; ++i) pool.Submit([&] { ++done; });
  }
  EXPECT_EQ(done.load(), 104);
}

}  // namespace
}  // namespace dso
