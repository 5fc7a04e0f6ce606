#include "agent/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, EmptyConfigGivesDefaults) {
  auto c = ParseAgentConfig("", "agent.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_concurrent_runs, 4);
  EXPECT_EQ(c->default_deadline, absl::Hours(1));
}

TEST(ConfigTest, ParsesEverySetting) {
  auto c = ParseAgentConfig(R"(
listen: [unix:///tmp/a.sock, "127.0.0.1:7070"]
data_dir: /srv/dso
allowed_roots: [/home/jenkins/workspace]
labels: {zone: dmz}
max_concurrent_runs: 2
default_deadline: 15m
max_deadline: 2h
kill_grace: 3s
shutdown_grace: 1m
retention: {max_age: 24h, max_runs: 50}
max_message_bytes: 1048576
tls: {cert: s.pem, key: s.key, client_ca: ca.pem}
metrics_listen: 127.0.0.1:9464
socket_mode: "0600"
permissions: {jenkins-release: ["*"], "*": [exec]}
)",
                            "agent.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen.size(), 2u);
  EXPECT_EQ(c->data_dir, "/srv/dso");
  EXPECT_EQ(c->labels.at("zone"), "dmz");
  EXPECT_EQ(c->max_deadline, absl::Hours(2));
  EXPECT_EQ(c->kill_grace, absl::Seconds(3));
  EXPECT_EQ(c->retention_max_runs, 50);
  EXPECT_TRUE(c->tls.enabled());
  EXPECT_EQ(c->socket_mode, 0600u);
  EXPECT_EQ(c->permissions.at("*"), std::vector<std::string>{"exec"});
}

TEST(ConfigTest, ErrorsNameTheFileAndTheKey) {
  auto typo = ParseAgentConfig("max_concurent_runs: 3", "/etc/dso/agent.yaml");
  EXPECT_THAT(
      std::string(typo.status().message()),
      HasSubstr("/etc/dso/agent.yaml: unknown key 'max_concurent_runs'"));
  EXPECT_THAT(
      std::string(
          ParseAgentConfig("kill_grace: soon", "a.yaml").status().message()),
      HasSubstr("'kill_grace'"));
  EXPECT_THAT(
      std::string(
          ParseAgentConfig("tls: {cert: a}", "a.yaml").status().message()),
      HasSubstr("mutual TLS"));
  EXPECT_THAT(
      std::string(ParseAgentConfig("allowed_roots: [relative]", "a.yaml")
                      .status()
                      .message()),
      HasSubstr("absolute"));
  EXPECT_THAT(
      std::string(ParseAgentConfig("listen: [a", "a.yaml").status().message()),
      HasSubstr("not valid YAML"));
  EXPECT_FALSE(ParseAgentConfig("max_concurrent_runs: 0", "a.yaml").ok());
  EXPECT_FALSE(ParseAgentConfig("- a list", "a.yaml").ok());
}

TEST(ConfigTest, NonScalarValuesAreErrorsNotCrashes) {
  for (const char* yaml :
       {"tls: {cert: [a], key: k, client_ca: c}", "labels: {zone: [a, b]}",
        "labels: {[a]: b}", "[x]: 1", "data_dir: {a: b}",
        "retention: {max_runs: [1]}"}) {
    auto c = ParseAgentConfig(yaml, "a.yaml");
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << yaml;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr("a.yaml")) << yaml;
  }
}

TEST(ConfigTest, DeadlineDefaultIsCappedByMax) {
  auto c = ParseAgentConfig("max_deadline: 10m", "a.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->default_deadline, absl::Minutes(10));
}

TEST(ConfigTest, Durations) {
  EXPECT_EQ(*ParseConfigDuration("90"), absl::Seconds(90));
  EXPECT_EQ(*ParseConfigDuration("1h30m"), absl::Minutes(90));
  EXPECT_FALSE(ParseConfigDuration("-5s").ok());
  EXPECT_FALSE(ParseConfigDuration("often").ok());
}

}  // namespace
}  // namespace dso
