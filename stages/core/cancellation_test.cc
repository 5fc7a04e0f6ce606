#include "stages/core/cancellation.h"

#include <poll.h>

#include "gtest/gtest.h"

namespace dso {
namespace {

bool Readable(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

TEST(CancellationTokenTest, FdBecomesReadableWhenCancelled) {
  CancellationToken token;
  int fd = token.fd();
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(Readable(fd));
  token.Cancel(CancelReason::kDeadline, "too slow");
  EXPECT_TRUE(Readable(fd));
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(token.reason(), CancelReason::kDeadline);
  EXPECT_EQ(token.fd(), fd);  // the same descriptor while it is open
}

TEST(CancellationTokenTest, FdMadeAfterCancellationIsReadableAtOnce) {
  CancellationToken token;
  token.Cancel(CancelReason::kRequested, "stop");
  EXPECT_TRUE(Readable(token.fd()));
}

TEST(CancellationTokenTest, FirstReasonWins) {
  CancellationToken token;
  token.Cancel(CancelReason::kRequested, "by the user");
  token.Cancel(CancelReason::kShutdown, "agent stopping");
  EXPECT_EQ(token.reason(), CancelReason::kRequested);
  EXPECT_EQ(token.message(), "by the user");
}

TEST(CancellationTokenTest, ClosedFdIsReplacedOnTheNextUse) {
  CancellationToken token;
  ASSERT_GE(token.fd(), 0);
  token.CloseFd();
  token.Cancel(CancelReason::kShutdown, "bye");  // no descriptor to signal
  int fd = token.fd();
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(Readable(fd));
}

}  // namespace
}  // namespace dso
