#include "stages/core/internal/noop_step.h"

#include "absl/strings/str_cat.h"

namespace dso {

namespace {
constexpr uint32_t kMaxLineBytes = 1 << 20;
constexpr size_t kBatchBytes = 64 << 10;
}  // namespace

absl::Status NoopStep::Validate(const dso::v1::RunStepRequest& request) const {
  if (request.noop().line_bytes() > kMaxLineBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("noop.line_bytes ", request.noop().line_bytes(),
                     " is larger than the maximum ", kMaxLineBytes));
  }
  return absl::OkStatus();
}

dso::v1::Result NoopStep::Run(const dso::v1::RunStepRequest& request,
                              StepContext& context) const {
  const auto& p = request.noop();
  uint32_t width = p.line_bytes() == 0 ? 80 : p.line_bytes();
  std::string line(width > 0 ? width - 1 : 0, 'x');
  line.push_back('\n');
  // Lines are batched into events of about 64 KiB, as exec batches a pipe.
  std::string batch;
  for (uint32_t i = 0; i < p.log_lines(); ++i) {
    if (context.cancellation().cancelled()) break;
    batch += line;
    if (batch.size() >= kBatchBytes) {
      context.Log(dso::v1::LogLine::STDOUT, batch);
      batch.clear();
    }
  }
  if (!batch.empty()) context.Log(dso::v1::LogLine::STDOUT, batch);
  dso::v1::Result result;
  if (context.cancellation().cancelled()) {
    result.set_outcome(dso::v1::CANCELLED);
    result.set_message(context.cancellation().message());
  } else {
    result.set_outcome(dso::v1::SUCCEEDED);
  }
  return result;
}

}  // namespace dso
