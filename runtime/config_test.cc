#include "runtime/config.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

TEST(ConfigTest, CacheAndDatabaseDirectories) {
  auto c = ParseAgentConfig("cache_dir: /srv/cache\ndb_dir: /srv/osv\n",
                            "agent.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cache_dir, "/srv/cache");
  EXPECT_EQ(c->db_dir, "/srv/osv");

  // The environment wins over the file when set and not empty.
  setenv("DSO_CACHE_DIR", "/env/cache", 1);
  setenv("DSO_DB_DIR", "", 1);
  ApplyEnvironmentOverrides(*c);
  unsetenv("DSO_CACHE_DIR");
  unsetenv("DSO_DB_DIR");
  EXPECT_EQ(c->cache_dir, "/env/cache");
  EXPECT_EQ(c->db_dir, "/srv/osv");
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

TEST(ConfigTest, CredentialBindings) {
  auto c = ParseAgentConfig(
      "credentials:\n"
      "  - {to: [s3://releases/, s3://sbom/], env: [AWS_ACCESS_KEY_ID]}\n"
      "  - {to: registry.example.com, env: DSO_REGISTRY_PASSWORD}\n",
      "a.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->credentials.size(), 2u);
  EXPECT_EQ(c->credentials[0].to.size(), 2u);
  EXPECT_EQ(c->credentials[1].env[0], "DSO_REGISTRY_PASSWORD");
  for (const char* yaml :
       {"credentials: {to: x}", "credentials: [{to: x}]",
        "credentials: [{env: [X]}]", "credentials: [{to: x, env: [A-B]}]",
        "credentials: [{to: x, env: [X], as: y}]",
        "credentials: [{to: 'ftp://u:pw@h/', env: [X]}]"}) {
    auto bad = ParseAgentConfig(yaml, "a.yaml");
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << yaml;
    EXPECT_THAT(std::string(bad.status().message()), HasSubstr("a.yaml"));
    EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("pw@")));
  }
}

TEST(ConfigTest, ReadLimits) {
  auto c =
      ParseAgentConfig("read_limits: {key: 4096, report: 1000000}", "a.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->read_limits.key, 4096u);
  EXPECT_EQ(c->read_limits.report, 1000000u);
  EXPECT_EQ(c->read_limits.config, FileReadLimits().config);
  EXPECT_FALSE(ParseAgentConfig("read_limits: {key: 0}", "a.yaml").ok());
  EXPECT_FALSE(ParseAgentConfig("read_limits: {keys: 1}", "a.yaml").ok());
  EXPECT_FALSE(ParseAgentConfig("read_limits: {key: lots}", "a.yaml").ok());
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
