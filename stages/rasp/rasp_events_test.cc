#include "stages/rasp/rasp_events.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace dso {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

TEST(RaspEvents, NormalizesTheMonitorsDatagram) {
  auto line = NormalizeRaspEvent(
      R"({"kind":"exec","target":"/usr/bin/dash","decision":"blocked",)"
      R"("mode":"block","reason":"not in the policy's exec list","pid":7,)"
      R"("ppid":1,"exe":"/usr/bin/python3.11","detail":"sh -c id",)"
      R"("injected":{"evil":true}})",
      "web", kNow);
  ASSERT_TRUE(line.ok()) << line.status();
  auto e = nlohmann::json::parse(*line);
  EXPECT_EQ(e["@timestamp"], "2026-11-18T11:06:40.000Z");
  EXPECT_EQ(e["deployment"], "web");
  EXPECT_EQ(e["what"], "/usr/bin/dash");
  EXPECT_EQ(e["pid"], 7);
  EXPECT_FALSE(e.contains("injected"));
  EXPECT_EQ(DescribeRaspEvent(*line),
            "2026-11-18T11:06:40.000Z blocked exec /usr/bin/dash (pid 7, "
            "/usr/bin/python3.11: not in the policy's exec list) sh -c id");
}

TEST(RaspEvents, RefusesWhatIsNotAnEvent) {
  EXPECT_FALSE(NormalizeRaspEvent("not json", "web", kNow).ok());
  EXPECT_FALSE(NormalizeRaspEvent("[1]", "web", kNow).ok());
  EXPECT_FALSE(NormalizeRaspEvent(R"({"kind":"start"})", "web", kNow).ok());
  // dso-run's own kinds never come from the program.
  EXPECT_FALSE(NormalizeRaspEvent(R"({"kind":"user"})", "web", kNow).ok());
  for (const char* kind : {"attr", "signal", "chmod"}) {
    EXPECT_TRUE(NormalizeRaspEvent(absl::StrCat(R"({"kind":")", kind, R"("})"),
                                   "web", kNow)
                    .ok())
        << kind;
  }
  // A type that does not fit is left out, not trusted.
  auto line = NormalizeRaspEvent(R"({"kind":"open","pid":"7"})", "web", kNow);
  ASSERT_TRUE(line.ok());
  EXPECT_FALSE(nlohmann::json::parse(*line).contains("pid"));
}

TEST(RaspEvents, ReadsTheLastLines) {
  std::string path = testing::TempDir() + "/events.jsonl";
  FILE* f = fopen(path.c_str(), "w");
  for (int i = 0; i < 5; ++i) {
    fputs(LauncherEvent("exit", "web", "{\"status\":" + std::to_string(i) + "}",
                        kNow)
              .append("\n")
              .c_str(),
          f);
  }
  fclose(f);
  auto lines = ReadRaspEvents(path, 2);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_THAT(DescribeRaspEvent(lines->back()), HasSubstr("exit 0 status 4"));
  EXPECT_THAT(std::string(ReadRaspEvents(path + ".none", 0).status().message()),
              HasSubstr("no RASP event log"));
}

}  // namespace
}  // namespace dso
