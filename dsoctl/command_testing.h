// What dsoctl's command tests share: a client that records the requests a
// command sends and answers each run SUCCEEDED, and a fixture that runs a
// whole command line (the real flags, the real command) against it, in a
// scratch directory holding report.sarif.
#ifndef DSO_DSOCTL_COMMAND_TESTING_H_
#define DSO_DSOCTL_COMMAND_TESTING_H_

#include <map>
#include <string>
#include <vector>

#include "dsoctl/agent_client.h"
#include "gtest/gtest.h"

namespace dso {

class RecordingClient final : public AgentClient {
 public:
  // `blobs` (digest -> content), when given, are what Get serves; `gets`
  // counts the blobs served.
  explicit RecordingClient(
      std::vector<dso::v1::RunStepRequest>* sent,
      const std::map<std::string, std::string>* blobs = nullptr,
      int* gets = nullptr)
      : sent_(sent), blobs_(blobs), gets_(gets) {}
  StreamEnd RunStep(const dso::v1::RunStepRequest& request,
                    const EventSink& sink) override;
  StreamEnd Attach(const dso::v1::AttachRequest&, const EventSink&) override;
  void StopStream() override {}
  absl::StatusOr<dso::v1::Run> Cancel(const dso::v1::CancelRequest&) override;
  absl::StatusOr<dso::v1::Run> GetRun(const dso::v1::GetRunRequest&) override;
  absl::StatusOr<dso::v1::ListRunsResponse> ListRuns(
      const dso::v1::ListRunsRequest&) override;
  // Allows every root: inputs go by path.
  absl::StatusOr<dso::v1::AgentInfo> GetInfo() override;
  absl::StatusOr<dso::v1::BlobInfo> Put(const PutSource&) override;
  absl::Status Get(const dso::v1::GetRequest&, const ChunkSink&) override;
  absl::StatusOr<dso::v1::BlobInfo> Stat(const dso::v1::StatRequest&) override;

 private:
  std::vector<dso::v1::RunStepRequest>* sent_;
  const std::map<std::string, std::string>* blobs_;
  int* gets_;
};

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Runs `dsoctl ARGS...`; the exit code. The requests are in sent_.
  int Dsoctl(std::vector<std::string> args);
  // The one request sent.
  const dso::v1::RunStepRequest& Sent();

  std::string dir_;
  std::vector<dso::v1::RunStepRequest> sent_;
};

}  // namespace dso

#endif  // DSO_DSOCTL_COMMAND_TESTING_H_
