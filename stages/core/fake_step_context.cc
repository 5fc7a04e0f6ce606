#include "stages/core/fake_step_context.h"

#include <cstdlib>
#include <filesystem>

#include "stages/core/relative_path.h"
#include "stages/core/sha256.h"
#include "stages/core/temp_dir.h"

namespace dso {

FakeStepContext::FakeStepContext() {
  scratch_ = MakeTempDir("dso-fake");
  if (scratch_.empty()) scratch_ = "/tmp";
  // Unique: the scratch dir's name.
  run_id_ = std::filesystem::path(scratch_).filename().string();
}

FakeStepContext::~FakeStepContext() {
  std::error_code ec;
  if (scratch_ != "/tmp") std::filesystem::remove_all(scratch_, ec);
}

void FakeStepContext::Emit(dso::v1::Event event) {
  absl::MutexLock lock(&mu_);
  event.set_seq(events_.size() + 1);
  events_.push_back(std::move(event));
}

absl::StatusOr<std::string> FakeStepContext::ResolveInput(
    const dso::v1::Input& input) {
  if (input.has_local_path()) return input.local_path();
  return absl::UnimplementedError("FakeStepContext resolves local paths only");
}

absl::StatusOr<std::string> FakeStepContext::ResolveAgentPath(
    absl::string_view what, const std::string& path, PathUse) {
  if (roots.empty()) return ResolvePath(what, path);
  return ResolveBeneathRoots(what, path, roots, "roots");
}

absl::StatusOr<dso::v1::Artifact> FakeStepContext::PutArtifact(
    const std::string& path, absl::string_view name,
    absl::string_view media_type) {
  auto d = Sha256File(path);
  if (!d.ok()) return d.status();
  dso::v1::Artifact a;
  a.set_name(std::string(name));
  a.set_digest(d->digest);
  a.set_size(d->size);
  a.set_media_type(std::string(media_type));
  dso::v1::Event e;
  *e.mutable_artifact() = a;
  Emit(std::move(e));
  return a;
}

std::vector<dso::v1::Event> FakeStepContext::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

std::string FakeStepContext::LogText(dso::v1::LogLine::Stream stream) const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& e : events_) {
    if (e.has_log() && e.log().stream() == stream) out += e.log().text();
  }
  return out;
}

}  // namespace dso
