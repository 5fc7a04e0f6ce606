#include "runtime/caller.h"

#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Caller Cert(const std::string& name) { return CertificateCaller(name); }

Caller Unix(const std::string& user, std::vector<std::string> groups) {
  Caller c{"unix:" + user, {"unix:" + user}};
  for (auto& g : groups) c.keys.push_back("unix-group:" + g);
  c.keys.push_back("local");
  return c;
}

TEST(PermissionsTest, WithoutPermissionsEveryoneRunsAndUploadsButSeesOnlyOwn) {
  Permissions p({});
  Caller dev = Cert("dev");
  EXPECT_TRUE(p.MayRunStep(dev, "exec"));
  EXPECT_TRUE(p.Has(dev, kRightPutArtifacts));
  EXPECT_FALSE(p.Has(dev, kRightReadRuns));
  EXPECT_FALSE(p.Has(dev, kRightCancelRuns));
  EXPECT_FALSE(p.Has(dev, kRightReadArtifacts));
}

TEST(PermissionsTest, AnIdentitysOwnEntryWinsOverStar) {
  Permissions p({{"release", {"*"}}, {"*", {"noop"}}});
  EXPECT_TRUE(p.MayRunStep(Cert("release"), "exec"));
  EXPECT_TRUE(p.Has(Cert("release"), kRightReadRuns));
  EXPECT_FALSE(p.MayRunStep(Cert("dev"), "exec"));
  EXPECT_TRUE(p.MayRunStep(Cert("dev"), "noop"));
  absl::Status denied = p.CheckStep(Cert("dev"), "exec");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(denied.message()),
              HasSubstr("identity 'x509:dev' may not run step 'exec'"));
}

TEST(PermissionsTest, NoopAloneGrantsNoUpload) {
  Permissions p({{"*", {"noop"}}, {"ci", {"scan"}}});
  EXPECT_FALSE(p.Has(Cert("dev"), kRightPutArtifacts));
  EXPECT_TRUE(p.Has(Cert("ci"), kRightPutArtifacts));
  std::map<std::string, std::vector<std::string>> auditor = {
      {"auditor", {"runs:read"}}};
  Permissions rights_only(auditor);
  EXPECT_FALSE(rights_only.Has(Cert("auditor"), kRightPutArtifacts));
  EXPECT_TRUE(rights_only.Has(Cert("auditor"), kRightReadRuns));
}

TEST(PermissionsTest, UnixPeersMatchByUserGroupAndTheOldLocalKey) {
  Permissions p({{"unix:alice", {"exec"}},
                 {"unix-group:ci", {"scan", "runs:read"}},
                 {"local", {"noop"}}});
  Caller alice = Unix("alice", {"ci"});
  EXPECT_TRUE(p.MayRunStep(alice, "exec"));
  EXPECT_TRUE(p.MayRunStep(alice, "scan"));  // union of every matching key
  EXPECT_TRUE(p.MayRunStep(alice, "noop"));
  EXPECT_TRUE(p.Has(alice, kRightReadRuns));
  Caller bob = Unix("bob", {"users"});
  EXPECT_FALSE(p.MayRunStep(bob, "exec"));
  EXPECT_TRUE(p.MayRunStep(bob, "noop"));
}

TEST(PermissionsTest, ACertificateNamedLocalIsNoUnixPeer) {
  Permissions p({{"local", {"*"}}, {"*", {"noop"}}});
  EXPECT_FALSE(p.MayRunStep(Cert("local"), "exec"));
  EXPECT_TRUE(p.MayRunStep(Unix("root", {}), "exec"));
  Permissions q({{"unix:root", {"*"}}, {"*", {"noop"}}});
  EXPECT_FALSE(q.MayRunStep(Cert("unix:root"), "exec"));
}

TEST(PermissionsTest, DescribeListsStepsAndRights) {
  Permissions p({{"ci", {"scan", "runs:cancel"}}});
  EXPECT_THAT(p.Describe(Cert("ci"), {"exec", "noop", "scan"}),
              ElementsAre("step:scan", "runs:cancel", "artifacts:put"));
}

TEST(UnixCallerTest, NamesTheUserAndItsGroups) {
  Caller me = UnixCaller(getuid(), getgid());
  EXPECT_EQ(me.identity.rfind("unix:", 0), 0u);
  EXPECT_EQ(me.keys.front(), me.identity);
  EXPECT_THAT(me.keys, Contains("local"));
  bool has_group = false;
  for (const auto& k : me.keys) has_group |= k.rfind("unix-group:", 0) == 0;
  EXPECT_TRUE(has_group);
}

}  // namespace
}  // namespace dso
