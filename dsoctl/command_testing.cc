#include "dsoctl/command_testing.h"

#include <filesystem>
#include <fstream>

#include "dsoctl/command.h"
#include "stages/core/temp_dir.h"

namespace dso {

AgentClient::StreamEnd RecordingClient::RunStep(
    const dso::v1::RunStepRequest& request, const EventSink& sink) {
  sent_->push_back(request);
  dso::v1::Event e;
  e.set_run_id("test-run");
  e.set_seq(1);
  e.mutable_result()->set_outcome(dso::v1::SUCCEEDED);
  sink(e);
  return {};
}

AgentClient::StreamEnd RecordingClient::Attach(const dso::v1::AttachRequest&,
                                               const EventSink&) {
  return {absl::UnimplementedError("attach")};
}

absl::StatusOr<dso::v1::Run> RecordingClient::Cancel(
    const dso::v1::CancelRequest&) {
  return absl::UnimplementedError("cancel");
}

absl::StatusOr<dso::v1::Run> RecordingClient::GetRun(
    const dso::v1::GetRunRequest&) {
  return absl::UnimplementedError("get run");
}

absl::StatusOr<dso::v1::ListRunsResponse> RecordingClient::ListRuns(
    const dso::v1::ListRunsRequest&) {
  return absl::UnimplementedError("list runs");
}

absl::StatusOr<dso::v1::AgentInfo> RecordingClient::GetInfo() {
  dso::v1::AgentInfo info;
  info.add_allowed_roots("/");
  return info;
}

absl::StatusOr<dso::v1::BlobInfo> RecordingClient::Put(const PutSource&) {
  return absl::UnimplementedError("put");
}

absl::Status RecordingClient::Get(const dso::v1::GetRequest& request,
                                  const ChunkSink& sink) {
  if (blobs_ == nullptr || !blobs_->count(request.digest())) {
    return absl::NotFoundError(request.digest());
  }
  if (gets_ != nullptr) ++*gets_;
  dso::v1::Chunk chunk;
  chunk.set_data(blobs_->at(request.digest()));
  sink(chunk);
  return absl::OkStatus();
}

absl::StatusOr<dso::v1::BlobInfo> RecordingClient::Stat(
    const dso::v1::StatRequest&) {
  return absl::NotFoundError("stat");
}

void CommandTest::SetUp() {
  dir_ = MakeTempDir("dsoctl-command");
  ASSERT_FALSE(dir_.empty());
  std::ofstream(dir_ + "/report.sarif") << "{}";
}

void CommandTest::TearDown() { std::filesystem::remove_all(dir_); }

int CommandTest::Dsoctl(std::vector<std::string> args) {
  CommandLine command_line;
  args.insert(args.begin(), "dsoctl");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    command_line.app().parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    ADD_FAILURE() << "usage error: " << e.what();
    return -1;
  }
  command_line.global().connection.make_client = [this] {
    return std::make_unique<RecordingClient>(&sent_);
  };
  return command_line.RunChosen();
}

const dso::v1::RunStepRequest& CommandTest::Sent() {
  EXPECT_EQ(sent_.size(), 1u);
  return sent_.back();
}

}  // namespace dso
