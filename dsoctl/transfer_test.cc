// Where a run's outputs land (transfer.h): DownloadOutputs by the plan.
#include "dsoctl/transfer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsoctl/command_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/sha256.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DownloadOutputsTest : public CommandTest {
 protected:
  // A run whose artifacts are `named` (name -> content), served by a
  // client; `plan` saves them.
  absl::StatusOr<std::map<std::string, std::string>> Download(
      const std::map<std::string, std::string>& named, const OutputPlan& plan) {
    FollowResult run;
    for (const auto& [name, content] : named) {
      dso::v1::Artifact a;
      a.set_name(name);
      a.set_digest(Sha256Digest(content));
      blobs_[a.digest()] = content;
      run.artifacts.push_back(a);
    }
    ConnectionOptions options;
    options.make_client = [this] {
      return std::make_unique<RecordingClient>(&sent_, &blobs_, &gets_);
    };
    auto conn = AgentConnection::Open(options);
    if (!conn.ok()) return conn.status();
    return DownloadOutputs(**conn, run, plan);
  }

  std::map<std::string, std::string> blobs_;
  int gets_ = 0;
};

TEST_F(DownloadOutputsTest, SavesWhatThePlanNamesAndNothingElse) {
  auto local = Download({{"a.json", "A"}, {"b.json", "B"}},
                        {{"a.json", {dir_ + "/out/a.json"}}});
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(Read(dir_ + "/out/a.json"), "A");  // parent directory made
  EXPECT_FALSE(fs::exists(dir_ + "/out/b.json"));
  EXPECT_EQ(local->size(), 1u);
  EXPECT_EQ(gets_, 1);
}

TEST_F(DownloadOutputsTest, OneReportUnderTwoNamesIsFetchedOnce) {
  auto local = Download({{"findings.json", "R"}, {"secrets.json", "R"}},
                        {{"findings.json", {dir_ + "/r.json"}},
                         {"secrets.json", {dir_ + "/r.json"}}});
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(Read(dir_ + "/r.json"), "R");
  EXPECT_EQ(local->at("findings.json"), dir_ + "/r.json");
  EXPECT_EQ(local->at("secrets.json"), dir_ + "/r.json");
  EXPECT_EQ(gets_, 1);
}

TEST_F(DownloadOutputsTest, WhatTheRunWroteInPlaceIsRecordedNotFetched) {
  std::ofstream(dir_ + "/x.txt") << "written by the step";
  auto local = Download({{"x.txt", "other"}},
                        {{"x.txt", {dir_ + "/x.txt", false, true}}});
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(local->at("x.txt"), dir_ + "/x.txt");
  EXPECT_EQ(Read(dir_ + "/x.txt"), "written by the step");
  EXPECT_EQ(gets_, 0);
}

}  // namespace
}  // namespace dso
