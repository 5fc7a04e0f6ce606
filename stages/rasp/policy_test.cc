#include "stages/rasp/policy.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/rasp/sandbox.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

std::string Canonical(const std::string& path) {
  char out[PATH_MAX];
  return realpath(path.c_str(), out) ? out : "";
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dso-policy-XXXXXX";
    base_ = mkdtemp(tmpl);
    mkdir((base_ + "/data").c_str(), 0755);
  }
  void TearDown() override {
    std::string cmd = "rm -rf " + base_;
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  std::string base_;
};

TEST_F(PolicyTest, ReadsEverySection) {
  auto policy = ParseRaspPolicy(R"(
mode: block
exec: [/bin/sh, /usr/bin]
network:
  connect: ["127.0.0.1:8000-8100", "[::1]/128:*"]
  listen: [8080]
files:
  writable: [data, /tmp]
syscalls: {deny: [chroot], allow: [ptrace]}
capabilities: [NET_BIND_SERVICE]
)",
                                "p.yaml", base_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->block);
  // Symbolic links resolved: /bin/sh is dash on Debian.
  EXPECT_EQ(policy->exec->at(0), Canonical("/bin/sh"));
  EXPECT_EQ(policy->connect->size(), 2u);
  EXPECT_EQ(policy->listen->at(0), 8080);
  EXPECT_EQ(policy->writable->at(0), Canonical(base_ + "/data"));
  EXPECT_EQ(policy->deny_syscalls.at(0), "chroot");
  EXPECT_TRUE(CheckSandboxNames(*policy, "p.yaml").ok());
  std::string encoded = EncodeForMonitor(*policy);
  EXPECT_THAT(encoded, HasSubstr("mode=block\n"));
  EXPECT_THAT(
      encoded,
      HasSubstr("exec-restricted\nexec=" + Canonical("/bin/sh") + "\n"));
  EXPECT_THAT(encoded, HasSubstr("connect=[::1]/128:*\n"));
  EXPECT_THAT(encoded, HasSubstr("write=/tmp\n"));
}

TEST_F(PolicyTest, SectionsLeftOutDoNotRestrictEmptyListsDo) {
  auto policy = ParseRaspPolicy("exec: []\n", "p.yaml", base_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_FALSE(policy->block);
  ASSERT_TRUE(policy->exec.has_value());
  EXPECT_TRUE(policy->exec->empty());
  EXPECT_FALSE(policy->connect.has_value());
  EXPECT_FALSE(policy->writable.has_value());
  EXPECT_EQ(EncodeForMonitor(*policy), "mode=monitor\nexec-restricted\n");
}

TEST_F(PolicyTest, BadPoliciesNameFileAndProblem) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"mode: enforce\n", "mode must be block or monitor"},
      {"exec: [/no/such/program]\n", "exec names /no/such/program"},
      {"network: {connect: [\"10.0.0.0/8\"]}\n", "network.connect entry"},
      {"network: {listen: [http]}\n", "network.listen entry \"http\""},
      {"files: {readable: [/]}\n", "unknown key files.readable"},
      {"colour: blue\n", "unknown key colour"},
      {"exec: /bin/sh\n", "exec must be a list"},
      {"mode: [\n", "not YAML"},
      {"- a\n", "expected a map"},
      {"allow_root: yes please\n", "allow_root must be true or false"},
      {"network: {unix: [/no/such.sock]}\n",
       "network.unix names /no/such.sock"},
      {"network: {unix: [\"@\"]}\n", "not an abstract socket name"},
      {"exec: [\"/bin\\nmode=monitor\"]\n", "line break"},
  };
  for (const Case& c : cases) {
    auto policy = ParseRaspPolicy(c.yaml, "p.yaml", base_);
    ASSERT_FALSE(policy.ok()) << c.yaml;
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr("p.yaml"));
    EXPECT_THAT(std::string(policy.status().message()), HasSubstr(c.message))
        << c.yaml;
  }
}

TEST_F(PolicyTest, UnixSocketsRootAndProtectedPaths) {
  auto policy = ParseRaspPolicy(
      "allow_root: true\nnetwork: {unix: [data, \"@bus\"]}\n", "p.yaml", base_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->allow_root);
  ASSERT_TRUE(policy->unix_sockets.has_value());
  EXPECT_EQ(policy->unix_sockets->at(0), Canonical(base_ + "/data"));
  EXPECT_EQ(policy->unix_sockets->at(1), "@bus");
  std::string encoded = EncodeForMonitor(*policy, {"/var/lib/dso"});
  EXPECT_THAT(encoded, HasSubstr("unix-restricted\nunix=" +
                                 Canonical(base_ + "/data") + "\nunix=@bus\n"));
  EXPECT_THAT(encoded, HasSubstr("protect=/var/lib/dso\n"));
  auto plain = ParseRaspPolicy("mode: block\n", "p.yaml", base_);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->allow_root);
  EXPECT_FALSE(plain->unix_sockets.has_value());
}

TEST_F(PolicyTest, LoadRefusesWhatIsNoPolicyFile) {
  EXPECT_THAT(std::string(LoadRaspPolicy(base_, base_).status().message()),
              HasSubstr("not a regular file"));
  std::string fifo = base_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(std::string(LoadRaspPolicy(fifo, base_).status().message()),
              HasSubstr("not a regular file"));
  std::string big = base_ + "/big.yaml";
  FILE* f = fopen(big.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::string line = "# " + std::string(1000, 'x') + "\n";
  for (int i = 0; i < 1100; ++i) fputs(line.c_str(), f);
  fclose(f);
  EXPECT_THAT(std::string(LoadRaspPolicy(big, base_).status().message()),
              HasSubstr("larger than"));
}

TEST_F(PolicyTest, UnknownCapabilitiesAndSyscallsAreRefused) {
  auto policy = ParseRaspPolicy("capabilities: [FLY]\n", "p.yaml", base_);
  ASSERT_TRUE(policy.ok());
  EXPECT_THAT(std::string(CheckSandboxNames(*policy, "p.yaml").message()),
              HasSubstr("unknown capability FLY"));
  policy = ParseRaspPolicy("syscalls: {deny: [teleport]}\n", "p.yaml", base_);
  ASSERT_TRUE(policy.ok());
  EXPECT_THAT(std::string(CheckSandboxNames(*policy, "p.yaml").message()),
              HasSubstr("unknown system call teleport"));
}

TEST_F(PolicyTest, TooManyRulesForTheMonitor) {
  std::string yaml = "network: {connect: [";
  for (int i = 0; i < 65; ++i)
    yaml += "\"10.0.0.1:" + std::to_string(i + 1) + "\",";
  yaml += "]}\n";
  auto policy = ParseRaspPolicy(yaml, "p.yaml", base_);
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(std::string(policy.status().message()),
              HasSubstr("more than 64"));
}

}  // namespace
}  // namespace dso
