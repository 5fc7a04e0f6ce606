#include "stages/core/agent_credentials.h"

#include <map>

#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(DestinationCovered, PrefixesMatchAtABoundary) {
  EXPECT_TRUE(
      DestinationCovered("registry.example.com", "registry.example.com/app"));
  EXPECT_TRUE(
      DestinationCovered("registry.example.com", "registry.example.com"));
  EXPECT_FALSE(DestinationCovered("registry.example.com",
                                  "registry.example.com.evil.net/app"));
  EXPECT_FALSE(DestinationCovered("registry.example.com",
                                  "registry.example.com:5000/app"));
  EXPECT_FALSE(DestinationCovered("s3://bucket", "s3://bucket-evil/x"));
  EXPECT_TRUE(DestinationCovered("s3://bucket/releases/",
                                 "s3://bucket/releases/1.0/app.tgz"));
  EXPECT_FALSE(
      DestinationCovered("s3://bucket/releases/", "s3://bucket/other/app.tgz"));
  EXPECT_FALSE(DestinationCovered("", "anything"));
  EXPECT_TRUE(DestinationCovered("*", "ftp://anywhere/x"));
}

TEST(DestinationCovered, NeverAcrossDotSegmentsOrEncodedSeparators) {
  const char* prefix = "ftp://host/releases/";
  EXPECT_FALSE(DestinationCovered(prefix, "ftp://host/releases/../etc/x"));
  EXPECT_FALSE(DestinationCovered(prefix, "ftp://host/releases/./x"));
  EXPECT_FALSE(DestinationCovered(prefix, "ftp://host/releases/%2E%2E/x"));
  EXPECT_FALSE(DestinationCovered(prefix, "ftp://host/releases/a%2fb"));
  EXPECT_FALSE(DestinationCovered(prefix, "ftp://host/releases/..\\x"));
  EXPECT_TRUE(DestinationCovered(prefix, "ftp://host/releases/v1..2/x"));
}

TEST(AgentCredentials, LendsOnlyBoundNamesToBoundDestinations) {
  std::map<std::string, std::string> env = {
      {"USER_A", "alice"}, {"PASS_A", "pw"}, {"OTHER", "x"}};
  AgentCredentials creds(
      {CredentialBinding{{"s3://a/", "ftp://h/"}, {"USER_A", "PASS_A"}}},
      [&](const std::string& n) { return env.count(n) ? env[n] : ""; });
  EXPECT_EQ(creds.Lookup("s3://a/k", "USER_A"), "alice");
  EXPECT_EQ(creds.Lookup("ftp://h/dir/f", "PASS_A"), "pw");
  EXPECT_EQ(creds.Lookup("s3://a/k", "OTHER"), "");
  EXPECT_EQ(creds.Lookup("s3://b/k", "USER_A"), "");
  EXPECT_EQ(creds.Lookup("ftp://127.0.0.1:2121/f", "PASS_A"), "");
  EXPECT_TRUE(creds.Covers("s3://a/k"));
  EXPECT_FALSE(creds.Covers("s3://ab/k"));
  EXPECT_EQ(AgentCredentials().Lookup("s3://a/k", "USER_A"), "");
}

TEST(AgentCredentials, EverywhereIsTheEnvironment) {
  setenv("DSO_TEST_CRED", "v", 1);
  EXPECT_EQ(AgentCredentials::Everywhere().Lookup("x", "DSO_TEST_CRED"), "v");
  unsetenv("DSO_TEST_CRED");
}

TEST(CheckCredentialBinding, RefusesMalformedBindings) {
  EXPECT_TRUE(
      CheckCredentialBinding({{"s3://a/"}, {"AWS_ACCESS_KEY_ID"}}, "c").ok());
  EXPECT_FALSE(CheckCredentialBinding({{}, {"X"}}, "c").ok());
  EXPECT_FALSE(CheckCredentialBinding({{"s3://a/"}, {}}, "c").ok());
  EXPECT_FALSE(CheckCredentialBinding({{""}, {"X"}}, "c").ok());
  EXPECT_FALSE(CheckCredentialBinding({{"s3://a/"}, {"A-B"}}, "c").ok());
  EXPECT_FALSE(CheckCredentialBinding({{"ftp://h/../x"}, {"X"}}, "c").ok());
  absl::Status s =
      CheckCredentialBinding({{"ftp://u:hunter2@h/"}, {"X"}}, "credentials[0]");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("hunter2"), absl::string_view::npos);
  EXPECT_NE(s.message().find("credentials[0]"), absl::string_view::npos);
}

}  // namespace
}  // namespace dso
