// Step: one capability the agent offers (exec, scan, gate, ...), and the
// registry that maps step names to implementations.
//
// A Step is stateless and shared by all runs: Validate and Run may be called
// concurrently from many threads. The registry owns its steps.
#ifndef DSO_STAGES_CORE_STEP_H_
#define DSO_STAGES_CORE_STEP_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "dso/v1/agent.pb.h"
#include "stages/core/step_context.h"

namespace dso {

class Step {
 public:
  virtual ~Step() = default;
  virtual std::string name() const = 0;
  // Checks the request's parameters before a run is created; an error here
  // is the client's (INVALID_ARGUMENT with a message naming the parameter).
  virtual absl::Status Validate(
      const dso::v1::RunStepRequest& request) const = 0;
  // Runs to completion, cancellation or deadline, and returns the result.
  virtual dso::v1::Result Run(const dso::v1::RunStepRequest& request,
                              StepContext& context) const = 0;
  // What this request does, in a line for the run's description in lists
  // and logs (the runtime cuts it to a bounded length). Default: the
  // step's name.
  virtual std::string Describe(const dso::v1::RunStepRequest& request) const {
    return request.step();
  }
};

class StepRegistry {
 public:
  // Fails if a step of that name is already registered.
  absl::Status Register(std::unique_ptr<Step> step);
  // nullptr when unknown.
  const Step* Find(const std::string& name) const;
  std::vector<std::string> Names() const;
  // Finds the step and validates the request, including that the params
  // case matches the step name.
  absl::StatusOr<const Step*> Resolve(
      const dso::v1::RunStepRequest& request) const;

 private:
  std::map<std::string, std::unique_ptr<Step>> steps_;
};

// Registers the steps of this library: exec and noop.
absl::Status RegisterCoreSteps(StepRegistry& registry);

}  // namespace dso

#endif  // DSO_STAGES_CORE_STEP_H_
