#include "stages/steps/all_steps.h"

#include "dso/v1/agent.pb.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

// A step added to the proto but not registered (or registered under
// another name than its params field) fails here, not at a user's request.
TEST(AllStepsTest, EveryParamsCaseOfTheProtoHasItsStep) {
  StepRegistry registry;
  ASSERT_TRUE(RegisterAllSteps(registry, StepsConfig{}).ok());
  const google::protobuf::OneofDescriptor* params =
      dso::v1::RunStepRequest::descriptor()->FindOneofByName("params");
  ASSERT_NE(params, nullptr);
  for (int i = 0; i < params->field_count(); ++i) {
    EXPECT_NE(registry.Find(params->field(i)->name()), nullptr)
        << "no step registered for params case " << params->field(i)->name();
  }
  EXPECT_EQ(registry.Names().size(),
            static_cast<size_t>(params->field_count()));
}

}  // namespace
}  // namespace dso
