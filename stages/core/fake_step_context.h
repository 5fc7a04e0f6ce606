// FakeStepContext: a StepContext for tests that records events in memory,
// resolves only local_path inputs (as given) and "stores" artifacts by
// digesting the file.
#ifndef DSO_STAGES_CORE_FAKE_STEP_CONTEXT_H_
#define DSO_STAGES_CORE_FAKE_STEP_CONTEXT_H_

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "stages/core/step_context.h"

namespace dso {

class FakeStepContext : public StepContext {
 public:
  FakeStepContext();            // creates a scratch directory under $TMPDIR
  ~FakeStepContext() override;  // removes it

  void Emit(dso::v1::Event event) override;
  const CancellationToken& cancellation() const override { return token_; }
  absl::Time deadline() const override { return absl::InfiniteFuture(); }
  const std::string& run_id() const override { return run_id_; }
  const std::string& scratch_dir() const override { return scratch_; }
  absl::StatusOr<std::string> ResolveInput(
      const dso::v1::Input& input) override;
  // Resolves the path; beneath `roots` when set (empty: anywhere).
  absl::StatusOr<std::string> ResolveAgentPath(absl::string_view what,
                                               const std::string& path,
                                               PathUse use) override;
  std::vector<std::string> roots;
  absl::StatusOr<dso::v1::Artifact> PutArtifact(
      const std::string& path, absl::string_view name,
      absl::string_view media_type) override;

  CancellationToken& token() { return token_; }
  std::vector<dso::v1::Event> events() const;
  // Concatenated log text of one stream.
  std::string LogText(dso::v1::LogLine::Stream stream) const;

 private:
  CancellationToken token_;
  std::string scratch_;
  std::string run_id_;  // unique per context
  mutable absl::Mutex mu_;
  std::vector<dso::v1::Event> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dso

#endif  // DSO_STAGES_CORE_FAKE_STEP_CONTEXT_H_
