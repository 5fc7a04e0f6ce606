#include "stages/core/run_processes.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace dso {
namespace {

bool Alive(pid_t pid) {
  // Reaps it if it is our child and has died.
  waitpid(pid, nullptr, WNOHANG);
  return kill(pid, 0) == 0;
}

// Forks a child that runs `sleep 60` with `env`, in a session of its own.
pid_t SpawnSleeper(const std::vector<std::string>& env,
                   const RunProcesses* procs) {
  pid_t pid = procs ? procs->Fork() : fork();
  if (pid == 0) {
    setsid();
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    char* argv[] = {const_cast<char*>("/bin/sleep"), const_cast<char*>("60"),
                    nullptr};
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // exec'd
  return pid;
}

TEST(RunProcessesTest, KillsEveryProcessOfTheRunAndNoOther) {
  RunProcesses procs("test-run-a");
  pid_t mine = SpawnSleeper({procs.MarkerEnv()}, &procs);
  pid_t other = SpawnSleeper({"DSO_RUN_ID=test-run-b"}, nullptr);
  pid_t prefix = SpawnSleeper({"DSO_RUN_ID=test-run-a-not"}, nullptr);
  ASSERT_TRUE(Alive(mine));
  EXPECT_GE(procs.KillAll(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(Alive(mine));
  EXPECT_TRUE(Alive(other));
  EXPECT_TRUE(Alive(prefix));
  kill(other, SIGKILL);
  kill(prefix, SIGKILL);
  waitpid(other, nullptr, 0);
  waitpid(prefix, nullptr, 0);
}

TEST(RunProcessesTest, ChildrenAreBornInTheRunsCgroup) {
  RunProcesses procs("test-run-d");
  if (procs.Describe() == "environment marker") {
    GTEST_SKIP() << "no writable cgroup2 hierarchy here";
  }
  pid_t child = SpawnSleeper({procs.MarkerEnv()}, &procs);
  ASSERT_GT(child, 0);
  std::ifstream cgroup("/proc/" + std::to_string(child) + "/cgroup");
  std::string line, v2;
  while (std::getline(cgroup, line)) {
    if (line.rfind("0::", 0) == 0) v2 = line;
  }
  EXPECT_TRUE(v2.ends_with("/dso-run-test-run-d")) << v2;
  EXPECT_EQ(procs.KillAll(), 1);
  waitpid(child, nullptr, 0);
}

TEST(RunProcessesTest, MarkerFindsProcessesOutsideAnyCgroup) {
  pid_t marked = SpawnSleeper({"DSO_RUN_ID=test-run-c", "X=1"}, nullptr);
  EXPECT_EQ(KillMarkedProcesses("DSO_RUN_ID=test-run-c"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(Alive(marked));
  EXPECT_EQ(KillRunLeftovers("test-run-c"), 0);
}

}  // namespace
}  // namespace dso
