// AgentCalls: what the agent answers, apart from how a call arrives. Every
// call of the Agent and Artifacts services (proto/dso/v1) as a method that
// takes the caller's identity (runtime/caller.h) and the request, checks that
// the caller may do what it asks, and maps it onto the RunManager and the
// BlobStore. A caller sees, follows and cancels only its own runs and reads
// only its own blobs unless granted more; another identity's run or blob is
// NOT_FOUND to it, as one that does not exist. No method lets an exception
// out: a request that makes one (an allocation too large) fails alone.
//
// Two front ends use it: the gRPC services (runtime/agent_service.h), and
// dsoctl's embedded mode, which calls it directly — no server, no channel.
// It borrows what it is given, which must outlive it. Thread-safe.
#ifndef DSO_RUNTIME_AGENT_CALLS_H_
#define DSO_RUNTIME_AGENT_CALLS_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/caller.h"
#include "runtime/input_handles.h"
#include "runtime/metrics.h"
#include "runtime/run_manager.h"
#include "dso/v1/agent.pb.h"
#include "dso/v1/artifact.pb.h"
#include "stages/store/blob_store.h"

namespace dso {

class AgentCalls {
 public:
  struct Options {
    std::map<std::string, std::string> labels;
    uint64_t max_blob_bytes = 0;
  };
  // `handles` and `metrics` may be null.
  AgentCalls(RunManager* runs, BlobStore* store, const Permissions* permissions,
             InputHandles* handles, AgentMetrics* metrics, Options options)
      : runs_(runs),
        store_(store),
        permissions_(permissions),
        handles_(handles),
        metrics_(metrics),
        options_(std::move(options)) {}

  using EventSender = RunManager::EventSender;
  using Stopped = std::function<bool()>;

  // Starts the run (or finds the one of the same idempotency key) and
  // passes its events to `send` until the result. When the agent refuses
  // to start it (permissions, inputs, a deadline already past, limits),
  // `*refused` turns true: the client must not retry as after a lost
  // connection.
  absl::Status RunStep(const Caller& caller,
                       const dso::v1::RunStepRequest& request,
                       absl::Time call_deadline, const EventSender& send,
                       const Stopped& stopped, bool* refused);
  absl::Status Attach(const Caller& caller,
                      const dso::v1::AttachRequest& request,
                      const EventSender& send, const Stopped& stopped);
  absl::StatusOr<dso::v1::Run> Cancel(const Caller& caller,
                                      const dso::v1::CancelRequest& request);
  absl::StatusOr<dso::v1::Run> GetRun(const Caller& caller,
                                      const dso::v1::GetRunRequest& request);
  absl::StatusOr<dso::v1::ListRunsResponse> ListRuns(
      const Caller& caller, const dso::v1::ListRunsRequest& request);
  dso::v1::AgentInfo GetInfo(const Caller& caller);

  // Put: `next` fills the next message of the upload, false after the
  // last; the first carries the digest and size.
  using PutSource = std::function<bool(dso::v1::PutRequest* message)>;
  absl::StatusOr<dso::v1::BlobInfo> Put(const Caller& caller,
                                        const PutSource& next,
                                        const Stopped& stopped);
  // Get: the blob in chunks to `write`, which returns false to stop.
  using ChunkSink = std::function<bool(const dso::v1::Chunk& chunk)>;
  absl::Status Get(const Caller& caller, const dso::v1::GetRequest& request,
                   const ChunkSink& write, const Stopped& stopped);
  absl::StatusOr<dso::v1::BlobInfo> Stat(const Caller& caller,
                                         const dso::v1::StatRequest& request);

 private:
  // The run, if `caller` may see it (its own, or with runs:read).
  absl::StatusOr<dso::v1::Run> Visible(const Caller& caller,
                                       const std::string& run_id) const;
  absl::Status Follow(const std::string& run_id, uint64_t from_seq,
                      const EventSender& send, const Stopped& stopped);

  RunManager* runs_;
  BlobStore* store_;
  const Permissions* permissions_;
  InputHandles* handles_;
  AgentMetrics* metrics_;
  const Options options_;
};

}  // namespace dso

#endif  // DSO_RUNTIME_AGENT_CALLS_H_
