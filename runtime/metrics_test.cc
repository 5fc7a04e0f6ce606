#include "runtime/metrics.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace dso {
namespace {

TEST(MetricsTest, RendersCountersHistogramsAndGauges) {
  AgentMetrics m;
  m.RunStarted();
  m.RunFinished("exec", "SUCCEEDED", absl::Milliseconds(20));
  m.RunFinished("exec", "SUCCEEDED", absl::Seconds(2));
  m.RunFinished("exec", "POLICY_FAILED", absl::Seconds(2));
  m.Rejected();
  m.ArtifactBytesIn(10);
  std::string text = m.Render();
  EXPECT_TRUE(absl::StrContains(
      text, "dso_runs_total{step=\"exec\",outcome=\"SUCCEEDED\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(
      text, "dso_run_duration_seconds_bucket{step=\"exec\",le=\"0.025\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(
      text, "dso_run_duration_seconds_bucket{step=\"exec\",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(absl::StrContains(
      text, "dso_run_duration_seconds_count{step=\"exec\"} 3\n"));
  EXPECT_TRUE(absl::StrContains(text, "dso_active_runs 1\n"));
  EXPECT_TRUE(absl::StrContains(text, "dso_run_rejections_total 1\n"));
  EXPECT_TRUE(absl::StrContains(text, "dso_artifact_bytes_in_total 10\n"));
  // HELP and TYPE once per metric family.
  for (const char* family : {"dso_runs_total", "dso_run_duration_seconds"}) {
    size_t first = text.find(std::string("# TYPE ") + family + " ");
    ASSERT_NE(first, std::string::npos);
    EXPECT_EQ(text.find(std::string("# TYPE ") + family + " ", first + 1),
              std::string::npos);
  }
  // Buckets ascend.
  double last = -1;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, "dso_run_duration_seconds_bucket")) continue;
    size_t le = line.find("le=\"") + 4;
    std::string v(line.substr(le, line.find('"', le) - le));
    double x = v == "+Inf" ? 1e300 : std::stod(v);
    EXPECT_GT(x, last);
    last = x;
  }
}

TEST(MetricsTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace dso
