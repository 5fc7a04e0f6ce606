// StepContext: what a running step may use — the event stream, cancellation,
// its deadline, a scratch directory, input resolution and the artifact store.
//
// The run manager implements it for real runs; tests implement it with
// fakes. A context outlives the Step::Run call it is passed to and is used
// from that call's thread only (Emit is thread-safe for steps that fan out).
#ifndef DSO_STAGES_CORE_STEP_CONTEXT_H_
#define DSO_STAGES_CORE_STEP_CONTEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "dso/v1/agent.pb.h"
#include "dso/v1/steps.pb.h"
#include "stages/core/agent_credentials.h"
#include "stages/core/cancellation.h"

namespace dso {

class StepContext {
 public:
  virtual ~StepContext() = default;

  // Appends an event to the run; the context assigns seq, time and run id.
  virtual void Emit(dso::v1::Event event) = 0;
  virtual const CancellationToken& cancellation() const = 0;
  virtual absl::Time deadline() const = 0;
  // The run's id: names what the run leaves on the system (its cgroup, the
  // marker of its processes).
  virtual const std::string& run_id() const = 0;
  // How long a cancelled step's processes get between SIGTERM and SIGKILL.
  virtual absl::Duration kill_grace() const { return absl::Seconds(10); }
  // A private, empty directory removed after the run.
  virtual const std::string& scratch_dir() const = 0;
  // Turns an Input into a directory the step may read: a local path under the
  // agent's allowed roots, or a tar from the store unpacked into scratch.
  virtual absl::StatusOr<std::string> ResolveInput(
      const dso::v1::Input& input) = 0;
  // A path on the agent that a request names other than as an Input — a
  // key file, a database directory, a file:// store — resolved (links
  // followed) and refused with PERMISSION_DENIED naming `what` unless it
  // lies beneath the agent's allowed roots (kRead) or store roots
  // (kStore). Use the returned path, not the one asked for.
  enum class PathUse { kRead, kStore };
  virtual absl::StatusOr<std::string> ResolveAgentPath(absl::string_view what,
                                                       const std::string& path,
                                                       PathUse use) = 0;
  // The agent's own credentials and where they may go; none by default.
  virtual const AgentCredentials& agent_credentials() const;
  // Copies a file into the artifact store and emits an artifact event.
  virtual absl::StatusOr<dso::v1::Artifact> PutArtifact(
      const std::string& path, absl::string_view name,
      absl::string_view media_type) = 0;

  // Conveniences built on Emit.
  void Log(dso::v1::LogLine::Stream stream, absl::string_view text);
  void Progress(absl::string_view phase, uint64_t done, uint64_t total);
};

// A single file sent to a remote agent arrives, like a directory, as a tar:
// unpacked, a directory holding just that file. Its path when `dir` is
// such a directory (one entry, a regular file), else "".
std::string SingleFileIn(const std::string& dir);

// The file an Input names: the resolved path, or the file inside when it
// arrived as a directory holding just that file.
absl::StatusOr<std::string> ResolveFileInput(StepContext& context,
                                             const dso::v1::Input& input);

// A Result for a failed step: outcome ERROR with the status' code and text.
dso::v1::Result ErrorResult(const absl::Status& status);

// Replaces invalid UTF-8 sequences with U+FFFD (proto strings must be UTF-8).
std::string SanitizeUtf8(absl::string_view in);
bool IsValidUtf8(absl::string_view in);
// SanitizeUtf8 on every string field of `m`, nested messages and map
// entries included: a file name or message with invalid UTF-8 must not make
// an event that no client can parse.
void SanitizeStringFields(google::protobuf::Message& m);

}  // namespace dso

#endif  // DSO_STAGES_CORE_STEP_CONTEXT_H_
