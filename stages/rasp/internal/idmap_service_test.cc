#include "stages/rasp/internal/idmap_service.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "stages/core/fd_passing.h"
#include "stages/rasp/user_switch.h"

namespace dso {
namespace {

TEST(IdMapRequest, ParsesOnlyTheExactForm) {
  auto r = ParseIdMapRequest("map 61300 61301\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->uid, 61300u);
  EXPECT_EQ(r->gid, 61301u);
  EXPECT_EQ(FormatIdMapRequest(*r), "map 61300 61301\n");
  for (const char* bad :
       {"", "map 1 2", "map 1 2\n\n", "map  1 2\n", "map 1 2 3\n", "map +1 2\n",
        "map -1 2\n", "map 1 0x2\n", "map 4294967295 1\n",
        "map 12345678901 1\n", "MAP 1 2\n", "map 1\t2\n", "map 1 \n",
        "map 01 2\n"}) {
    EXPECT_FALSE(ParseIdMapRequest(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseIdMapRequest("map 4294967294 1\n").ok());
}

TEST(SubordinateRanges, ByNameOrUidWithinTheRange) {
  const char* text =
      "alice:100000:65536\n"
      "garbage line\n"
      "1001:61184:10\n"
      "bob:x:10\n"
      "carol:4294967290:18446744073709551615\n";
  EXPECT_TRUE(SubordinateRangeHolds(text, "alice", 1000, 100000));
  EXPECT_TRUE(SubordinateRangeHolds(text, "alice", 1000, 165535));
  EXPECT_FALSE(SubordinateRangeHolds(text, "alice", 1000, 165536));
  EXPECT_FALSE(SubordinateRangeHolds(text, "alice", 1000, 99999));
  EXPECT_TRUE(SubordinateRangeHolds(text, "dave", 1001, 61193));
  EXPECT_FALSE(SubordinateRangeHolds(text, "dave", 1001, 61194));
  EXPECT_FALSE(SubordinateRangeHolds(text, "bob", 1002, 5));
  EXPECT_TRUE(SubordinateRangeHolds(text, "carol", 1003, 4294967294u));
  EXPECT_FALSE(SubordinateRangeHolds(text, "", 9, 100000));
}

// A child in a new user namespace, waiting to be mapped; once let go it
// reports the ids mapped into it.
class WaitingChild {
 public:
  WaitingChild() {
    EXPECT_EQ(pipe(ready_), 0);
    EXPECT_EQ(pipe(go_), 0);
    EXPECT_EQ(pipe(report_), 0);
    pid_ = fork();
    if (pid_ == 0) {
      char c;
      if (unshare(CLONE_NEWUSER) != 0) _exit(3);
      if (write(ready_[1], "r", 1) != 1 || read(go_[0], &c, 1) != 1) _exit(4);
      // The first id each map gives (none: the overflow id).
      std::string ids;
      for (const char* map : {"/proc/self/uid_map", "/proc/self/gid_map"}) {
        unsigned inside = 65534;
        FILE* f = fopen(map, "r");
        if (f == nullptr || fscanf(f, "%u", &inside) != 1) inside = 65534;
        if (f) fclose(f);
        ids += (ids.empty() ? "" : ":") + std::to_string(inside);
      }
      _exit(write(report_[1], ids.data(), ids.size()) > 0 ? 0 : 5);
    }
    char c;
    EXPECT_EQ(read(ready_[0], &c, 1), 1);
  }
  ~WaitingChild() {
    for (int fd :
         {ready_[0], ready_[1], go_[0], go_[1], report_[0], report_[1]}) {
      close(fd);
    }
  }
  pid_t pid() const { return pid_; }
  // Lets it go; returns "UID:GID", the ids mapped into its namespace.
  std::string Finish() {
    (void)!write(go_[1], "g", 1);
    int status = 0;
    waitpid(pid_, &status, 0);
    close(report_[1]);
    report_[1] = -1;
    char buf[64];
    ssize_t n = read(report_[0], buf, sizeof(buf));
    return n > 0 ? std::string(buf, n) : "";
  }

 private:
  int ready_[2], go_[2], report_[2];
  pid_t pid_ = -1;
};

class IdMapServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "maps other ids only as root";
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("idmap-", getpid());
    std::filesystem::create_directories(dir_);
    files_.subuid = (dir_ / "subuid").string();
    files_.subgid = (dir_ / "subgid").string();
    std::ofstream(files_.subuid) << "0:61184:100\n";
    std::ofstream(files_.subgid) << "root:61184:100\n";
    socket_ = (dir_ / "idmap.sock").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Serves one client on a fresh listening socket while `client` runs.
  absl::StatusOr<std::string> ServeOne(const std::function<void()>& client) {
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, socket_.c_str(), sizeof(addr.sun_path) - 1);
    unlink(socket_.c_str());
    EXPECT_EQ(bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(l, 1), 0);
    std::thread t(client);
    int c = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    auto done = ServeIdMapClient(c, absl::Seconds(2), files_);
    close(c);
    t.join();
    close(l);
    return done;
  }

  std::filesystem::path dir_;
  IdMapFiles files_;
  std::string socket_;
};

TEST_F(IdMapServiceTest, MapsTheIdsOfTheClientsRangeIntoItsChild) {
  WaitingChild child;
  absl::Status asked;
  auto done = ServeOne(
      [&] { asked = RequestIdMap(socket_, child.pid(), 61200, 61201); });
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(asked.ok()) << asked;
  EXPECT_NE(done->find("mapped uid 61200 gid 61201"), std::string::npos);
  EXPECT_EQ(child.Finish(), "61200:61201");
}

TEST_F(IdMapServiceTest, RefusesIdsOutsideTheRangeAndRoot) {
  for (auto [uid, gid] : {std::pair<uid_t, gid_t>{61300, 61200},
                          {61200, 61300},
                          {0, 61200},
                          {61200, 0}}) {
    WaitingChild child;
    absl::Status asked;
    auto done =
        ServeOne([&] { asked = RequestIdMap(socket_, child.pid(), uid, gid); });
    EXPECT_FALSE(done.ok());
    EXPECT_FALSE(asked.ok());
    EXPECT_EQ(asked.code(), absl::StatusCode::kPermissionDenied);
    // Nothing mapped.
    EXPECT_EQ(child.Finish(), "65534:65534") << uid << ":" << gid;
  }
}

TEST_F(IdMapServiceTest, RefusesAProcessOutsideANamespaceOfItsOwn) {
  absl::Status asked;
  auto done =
      ServeOne([&] { asked = RequestIdMap(socket_, getpid(), 61200, 61200); });
  EXPECT_FALSE(done.ok());
  EXPECT_NE(asked.message().find("not in a user namespace of its own"),
            std::string::npos)
      << asked;
}

TEST_F(IdMapServiceTest, MapsOnlyOnce) {
  WaitingChild child;
  absl::Status first, second;
  ASSERT_TRUE(ServeOne([&] {
                first = RequestIdMap(socket_, child.pid(), 61200, 61200);
              }).ok());
  EXPECT_FALSE(ServeOne([&] {
                 second = RequestIdMap(socket_, child.pid(), 61201, 61201);
               }).ok());
  EXPECT_TRUE(first.ok());
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(child.Finish(), "61200:61200");
}

// A client speaking anything else: answered, refused, never fatal.
TEST(IdMapService, RefusesMalformedRequestsAndSilence) {
  struct Case {
    std::string text;
    bool send_fd;
    const char* why;
  };
  int file = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  for (const Case& c :
       std::vector<Case>{{"hello\n", true, "not \"map UID GID\""},
                         {"map 61200 61200\n", false, "one pidfd"},
                         {"map 61200 61200\n", true, "not a pidfd"},
                         {std::string(100, 'x'), false, "too long"},
                         {"", false, "no complete request"},
                         {"map 1 1", false, "ended early"}}) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    if (c.send_fd) {
      ASSERT_TRUE(SendWithDescriptor(sv[1], c.text, file));
    } else if (!c.text.empty()) {
      ASSERT_GT(send(sv[1], c.text.data(), c.text.size(), 0), 0);
    }
    if (std::string(c.why) == "ended early") shutdown(sv[1], SHUT_WR);
    auto done = ServeIdMapClient(sv[0], absl::Milliseconds(100));
    EXPECT_FALSE(done.ok()) << c.why;
    EXPECT_NE(done.status().message().find(c.why), std::string::npos)
        << done.status();
    char reply[300] = {};
    ASSERT_GT(read(sv[1], reply, sizeof(reply) - 1), 0) << c.why;
    EXPECT_EQ(std::string(reply).rfind("error: ", 0), 0u) << reply;
    close(sv[0]);
    close(sv[1]);
  }
  close(file);
}

TEST(IdMapService, AClientWithoutTheServiceGetsAClearError) {
  absl::Status s = RequestIdMap("/nonexistent/idmap.sock", getpid(), 1, 1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/idmap.sock"), std::string::npos);
}

}  // namespace
}  // namespace dso
