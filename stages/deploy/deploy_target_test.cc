#include "stages/deploy/deploy_target.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTargets[] = R"(
web:
  dir: /srv/web
  verify_key: /etc/dso/release.pub
  level: 3
  health: http://127.0.0.1:{port}/healthz
  strategy: blue-green
  port: 8080
  keep: 3
  shared: [data]
)";

TEST(DeployTargets, NamedTargetsAndTheirLimits) {
  auto targets = ParseDeployTargets(kTargets, "agent.yaml");
  ASSERT_TRUE(targets.ok()) << targets.status();
  const DeployTarget& web = targets->at("web");
  EXPECT_EQ(web.dir, "/srv/web");
  EXPECT_EQ(web.level, 3);
  EXPECT_TRUE(web.blue_green);
  EXPECT_THAT(web.require, ElementsAre("sbom", "provenance"));

  dso::v1::DeployParams p;
  p.set_target("web");
  p.set_port(9000);
  auto t = ResolveDeployTarget(p, *targets);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->port, 9000);
  EXPECT_EQ(t->verify_key, "/etc/dso/release.pub");
  // The operator's admission settings are not the request's to change.
  p.set_verify_key("/tmp/mine.pub");
  EXPECT_EQ(ResolveDeployTarget(p, *targets).status().code(),
            absl::StatusCode::kPermissionDenied);
  p.clear_verify_key();
  p.add_require_gate("final:1");
  EXPECT_EQ(ResolveDeployTarget(p, *targets).status().code(),
            absl::StatusCode::kPermissionDenied);
  p.set_target("nowhere");
  EXPECT_THAT(std::string(ResolveDeployTarget(p, *targets).status().message()),
              HasSubstr("'nowhere' is not defined"));
}

TEST(DeployTargets, AdHocHostTargets) {
  dso::v1::DeployParams p;
  p.set_target("host:///srv/shop");
  p.set_verify_key("k.pub");
  p.set_strategy("replace");
  auto t = ResolveDeployTarget(p, {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->dir, "/srv/shop");
  EXPECT_EQ(t->name, "shop");
  EXPECT_EQ(t->verify_key, "k.pub");
  p.set_target("host://relative");
  EXPECT_FALSE(ResolveDeployTarget(p, {}).ok());
  p.set_target("host:///srv/shop");
  p.set_strategy("blue-green");
  EXPECT_THAT(std::string(ResolveDeployTarget(p, {}).status().message()),
              HasSubstr("needs a port"));
}

TEST(DeployTargets, KubernetesTargets) {
  auto targets = ParseDeployTargets(
      "shop: {kind: kubernetes, namespace: prod, replicas: 3, port: 8080}\n",
      "agent.yaml");
  ASSERT_TRUE(targets.ok()) << targets.status();
  const DeployTarget& shop = targets->at("shop");
  EXPECT_EQ(shop.kind, DeployTarget::Kind::kKubernetes);
  EXPECT_EQ(shop.namespace_, "prod");
  EXPECT_EQ(shop.app, "shop");
  EXPECT_EQ(shop.replicas, 3);
  dso::v1::DeployParams p;
  p.set_target("kubernetes://staging/web");
  auto t = ResolveDeployTarget(p, {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->namespace_, "staging");
  EXPECT_EQ(t->app, "web");
  p.set_target("kubernetes://staging");
  EXPECT_FALSE(ResolveDeployTarget(p, {}).ok());
  p.set_target("kubernetes://staging/web");
  p.set_strategy("blue-green");
  p.set_port(80);
  EXPECT_THAT(std::string(ResolveDeployTarget(p, {}).status().message()),
              HasSubstr("blue-green is for host targets"));
}

TEST(DeployTargets, BadConfigNamesTheSetting) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"web: {dir: srv}\n", "deploy_targets.web.dir"},
      {"web: {dir: /srv, kind: lambda}\n", "must be host or kubernetes"},
      {"web: {dir: /srv, colour: red}\n", "unknown setting colour"},
      {"web: {dir: /srv, level: 7}\n", "web.level"},
      {"web: {dir: /srv, strategy: canary}\n", "web.strategy"},
      {"[1, 2]\n", "must be a map"},
  };
  for (const Case& c : cases) {
    auto t = ParseDeployTargets(c.yaml, "agent.yaml");
    ASSERT_FALSE(t.ok()) << c.yaml;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("agent.yaml"));
    EXPECT_THAT(std::string(t.status().message()), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace dso
