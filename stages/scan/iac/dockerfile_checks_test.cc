#include "stages/scan/iac/dockerfile_checks.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "ID@LINE" of each finding, in order.
std::vector<std::string> Found(const std::string& text) {
  std::vector<std::string> out;
  for (const IacFinding& f :
       CheckDockerfile(ParseDockerfile(text), "/Dockerfile")) {
    out.push_back(std::string(f.check->id) + "@" + std::to_string(f.line));
  }
  return out;
}

TEST(DockerfileChecksTest, AGoodDockerfilePasses) {
  EXPECT_THAT(Found("FROM golang:1.22@sha256:abc AS build\n"
                    "WORKDIR /src\n"
                    "RUN apt-get update && apt-get install -y git\n"
                    "FROM gcr.io/distroless/static:nonroot\n"
                    "COPY --from=build /app /app\n"
                    "USER 65532:65532\n"
                    "HEALTHCHECK CMD [\"/app\", \"health\"]\n"
                    "ENTRYPOINT [\"/app\"]\n"),
              IsEmpty());
}

TEST(DockerfileChecksTest, EachCheckFailsOnItsCase) {
  EXPECT_THAT(Found("FROM ubuntu\n"
                    "MAINTAINER someone\n"
                    "EXPOSE 80 22/tcp\n"
                    "WORKDIR app\n"
                    "ADD https://example.com/x.tgz /tmp/\n"
                    "RUN apt update\n"
                    "RUN sudo make install\n"
                    "RUN curl -fsSL https://get.example.com | sh\n"
                    "USER root\n"
                    "HEALTHCHECK NONE\n"),
              ElementsAre("DKR007@1", "DKR006@2", "DKR001@3", "DKR010@4",
                          "DKR004@5", "DKR013@5", "DKR005@6", "DKR009@6",
                          "DKR012@7", "DKR014@8", "DKR008@9"));
}

TEST(DockerfileChecksTest, WholeFileChecksNameTheFile) {
  auto findings = CheckDockerfile(
      ParseDockerfile("FROM alpine:3.19\nRUN true\n"), "/svc/Dockerfile");
  std::set<std::string> ids;
  for (const IacFinding& f : findings) {
    ids.insert(f.check->id);
    EXPECT_EQ(f.resource, "/svc/Dockerfile.");
    EXPECT_EQ(f.line, 1u);
    EXPECT_EQ(f.end_line, 2u);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"DKR002", "DKR003"}));
  EXPECT_STREQ(findings[0].check->checkov, "CKV_DOCKER_2");
}

TEST(DockerfileChecksTest, BaseImages) {
  auto latest = [](const std::string& from) {
    for (const IacFinding& f : CheckDockerfile(
             ParseDockerfile(from + "\nUSER app\nHEALTHCHECK CMD true\n"),
             "f")) {
      if (std::string(f.check->id) == "DKR007") return true;
    }
    return false;
  };
  EXPECT_TRUE(latest("FROM nginx"));
  EXPECT_TRUE(latest("FROM nginx:latest"));
  EXPECT_TRUE(latest("FROM registry:5000/team/app"));  // a port, no tag
  EXPECT_FALSE(latest("FROM registry:5000/team/app:1.2"));
  EXPECT_FALSE(latest("FROM nginx@sha256:0123"));
  EXPECT_FALSE(latest("FROM scratch"));
  EXPECT_FALSE(latest("FROM $BASE"));  // not known here
  EXPECT_FALSE(latest("FROM golang:1.22 AS build\nFROM build"));
  EXPECT_THAT(
      Found("FROM a:1 AS x\nFROM b:1 AS X\nUSER u\nHEALTHCHECK CMD t\n"),
      ElementsAre("DKR011@2"));
}

TEST(DockerfileChecksTest, UpdatesRunsAndHeredocs) {
  auto run = [](const std::string& body) {
    return Found("FROM a:1\nUSER u\nHEALTHCHECK CMD t\n" + body);
  };
  EXPECT_THAT(run("RUN apk update && apk add curl\n"), IsEmpty());
  EXPECT_THAT(run("RUN apt-get update\n"), ElementsAre("DKR005@4"));
  EXPECT_THAT(run("RUN <<EOF\napt-get update\nEOF\n"), ElementsAre("DKR005@4"));
  EXPECT_THAT(run("RUN [\"apt-get\", \"update\"]\n"), ElementsAre("DKR005@4"));
  EXPECT_THAT(run("RUN wget -qO- https://x | /bin/bash -s\n"),
              ElementsAre("DKR014@4"));
  EXPECT_THAT(run("RUN curl -o f https://x && sh f\n"), IsEmpty());
  EXPECT_THAT(run("RUN echo sudo is a word\n"), IsEmpty());
  EXPECT_THAT(run("ADD --checksum=sha256:ab https://x /y\n"),
              ElementsAre("DKR004@4"));
  EXPECT_THAT(run("USER 0:0\n"), ElementsAre("DKR008@4"));
  EXPECT_THAT(run("WORKDIR $HOME/app\nWORKDIR /srv\n"), IsEmpty());
}

TEST(DockerfileChecksTest, EvidenceNeverHoldsACommandOrDownload) {
  const std::string token = "ghp_" + std::string(36, 'x');
  auto findings =
      CheckDockerfile(ParseDockerfile("FROM a:latest\n"
                                      "ADD https://u:" +
                                      token +
                                      "@example.com/f /f\n"
                                      "RUN curl -H 'Authorization: " +
                                      token + "' x | sh\n"),
                      "f");
  ASSERT_GE(findings.size(), 4u);
  for (const IacFinding& f : findings) {
    EXPECT_EQ(f.evidence.find(token), std::string::npos) << f.check->id;
  }
  EXPECT_EQ(findings[0].evidence, "FROM a:latest");
  EXPECT_EQ(findings[1].evidence, "ADD");
}

TEST(DockerfileChecksTest, EveryCheckHasItsFields) {
  std::set<std::string> ids;
  for (const IacCheck& c : DockerfileChecks()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_NE(std::string(c.title), "");
    EXPECT_NE(std::string(c.remediation), "");
    EXPECT_NE(c.severity, dso::v1::SEVERITY_UNSPECIFIED);
  }
  EXPECT_EQ(ids.size(), 14u);
  EXPECT_THAT(CheckDockerfile(ParseDockerfile(""), "f"), IsEmpty());
}

}  // namespace
}  // namespace dso
