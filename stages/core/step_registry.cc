#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/core/internal/exec_step.h"
#include "stages/core/internal/noop_step.h"
#include "stages/core/status_macros.h"
#include "stages/core/step.h"

namespace dso {

absl::Status StepRegistry::Register(std::unique_ptr<Step> step) {
  std::string name = step->name();
  if (!steps_.emplace(name, std::move(step)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("step '", name, "' is registered twice"));
  }
  return absl::OkStatus();
}

const Step* StepRegistry::Find(const std::string& name) const {
  auto it = steps_.find(name);
  return it == steps_.end() ? nullptr : it->second.get();
}

std::vector<std::string> StepRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, step] : steps_) names.push_back(name);
  return names;
}

absl::StatusOr<const Step*> StepRegistry::Resolve(
    const dso::v1::RunStepRequest& request) const {
  if (request.step().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request names no step; known steps: ", absl::StrJoin(Names(), ", ")));
  }
  const Step* step = Find(request.step());
  if (step == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown step '", request.step(),
                     "'; known steps: ", absl::StrJoin(Names(), ", ")));
  }
  const auto* oneof = request.GetDescriptor()->FindOneofByName("params");
  const auto* field =
      request.GetReflection()->GetOneofFieldDescriptor(request, oneof);
  if (field == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "step '", request.step(), "' needs its parameters in field '",
        request.step(), "' of the request"));
  }
  if (field->name() != request.step()) {
    return absl::InvalidArgumentError(
        absl::StrCat("step '", request.step(), "' was sent parameters for '",
                     field->name(), "'"));
  }
  RETURN_IF_ERROR(step->Validate(request));
  return step;
}

absl::Status RegisterCoreSteps(StepRegistry& registry) {
  RETURN_IF_ERROR(registry.Register(std::make_unique<ExecStep>()));
  return registry.Register(std::make_unique<NoopStep>());
}

}  // namespace dso
