#include "stages/deploy/kubernetes_manifests.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

KubernetesApp Shop() {
  KubernetesApp app;
  app.name = "shop";
  app.namespace_ = "prod";
  app.repository = "registry.example.com/team/shop";
  app.digest = "sha256:" + std::string(64, 'a');
  app.replicas = 3;
  app.port = 8080;
  app.health_path = "/healthz";
  app.uid = 10001;
  app.gid = 10001;
  app.env = {"MODE=prod", "EMPTY="};
  app.verified = {"https://slsa.dev/provenance/v1"};
  return app;
}

TEST(KubernetesManifests, PinnedByDigestAndHardened) {
  auto text = RenderKubernetesManifests(Shop());
  ASSERT_TRUE(text.ok()) << text.status();
  std::vector<YAML::Node> docs = YAML::LoadAll(*text);
  ASSERT_EQ(docs.size(), 2u);
  const YAML::Node& d = docs[0];
  EXPECT_EQ(d["kind"].as<std::string>(), "Deployment");
  EXPECT_EQ(d["metadata"]["namespace"].as<std::string>(), "prod");
  EXPECT_EQ(d["spec"]["replicas"].as<int>(), 3);
  const YAML::Node pod = d["spec"]["template"]["spec"];
  EXPECT_FALSE(pod["automountServiceAccountToken"].as<bool>());
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(pod["securityContext"]["runAsUser"].as<int>(), 10001);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(),
            "RuntimeDefault");
  const YAML::Node c = pod["containers"][0];
  EXPECT_EQ(c["image"].as<std::string>(),
            "registry.example.com/team/shop@sha256:" + std::string(64, 'a'));
  EXPECT_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>());
  EXPECT_TRUE(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"][0].as<std::string>(),
            "ALL");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(),
            "/healthz");
  EXPECT_EQ(c["env"][1]["name"].as<std::string>(), "EMPTY");
  EXPECT_EQ(c["env"][1]["value"].as<std::string>(), "");
  EXPECT_EQ(d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
                .as<std::string>(),
            "shop");
  const YAML::Node& s = docs[1];
  EXPECT_EQ(s["kind"].as<std::string>(), "Service");
  EXPECT_EQ(s["spec"]["ports"][0]["port"].as<int>(), 80);
  EXPECT_EQ(s["spec"]["ports"][0]["targetPort"].as<std::string>(), "http");
}

TEST(KubernetesManifests, RefusesWhatAClusterWouldOrShouldNot) {
  KubernetesApp app = Shop();
  app.name = "Shop_1";
  EXPECT_THAT(std::string(RenderKubernetesManifests(app).status().message()),
              HasSubstr("not a Kubernetes name"));
  app = Shop();
  app.uid = 0;
  EXPECT_THAT(std::string(RenderKubernetesManifests(app).status().message()),
              HasSubstr("non-root"));
  app = Shop();
  app.digest = "latest";
  EXPECT_FALSE(RenderKubernetesManifests(app).ok());
}

}  // namespace
}  // namespace dso
