#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stages/core/internal/exec_step.h"
#include "stages/core/step.h"

namespace dso {
namespace {

using ::testing::HasSubstr;

TEST(StepRegistryTest, ResolvesKnownStepsAndExplainsMistakes) {
  StepRegistry reg;
  ASSERT_TRUE(RegisterCoreSteps(reg).ok());
  EXPECT_FALSE(reg.Register(std::make_unique<ExecStep>()).ok());

  dso::v1::RunStepRequest r;
  r.set_step("exec");
  r.mutable_exec()->add_argv("true");
  auto s = reg.Resolve(r);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->name(), "exec");

  r.set_step("frobnicate");
  EXPECT_THAT(std::string(reg.Resolve(r).status().message()),
              HasSubstr("unknown step 'frobnicate'; known steps: exec, noop"));

  r.set_step("noop");  // params are exec's
  EXPECT_THAT(std::string(reg.Resolve(r).status().message()),
              HasSubstr("sent parameters for 'exec'"));

  dso::v1::RunStepRequest bare;
  bare.set_step("exec");
  EXPECT_THAT(std::string(reg.Resolve(bare).status().message()),
              HasSubstr("needs its parameters"));
}

}  // namespace
}  // namespace dso
