#include "runtime/ecs_log.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "spdlog/details/log_msg.h"

namespace dso {
namespace {

TEST(EcsJsonFormatterTest, EscapesThePayloadIntoOneValidLine) {
  EcsJsonFormatter f;
  std::string payload = "quote \" backslash \\ newline \n tab \t end";
  spdlog::details::log_msg msg("dso", spdlog::level::warn, payload);
  spdlog::memory_buf_t buf;
  f.format(msg, buf);
  std::string line(buf.data(), buf.size());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line only";
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["message"], payload);
  EXPECT_EQ(j["log.level"], "warning");
  EXPECT_TRUE(j.contains("@timestamp"));
  EXPECT_TRUE(j.contains("ecs.version"));
  std::string ts = j["@timestamp"];
  EXPECT_EQ(ts.size(), 24u);  // 2026-11-26T15:30:00.123Z
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(EcsJsonFormatterTest, InvalidUtf8DoesNotThrow) {
  EcsJsonFormatter f;
  spdlog::details::log_msg msg("dso", spdlog::level::info, "bad \xFF byte");
  spdlog::memory_buf_t buf;
  EXPECT_NO_THROW(f.format(msg, buf));
  EXPECT_NO_THROW(nlohmann::json::parse(std::string(buf.data(), buf.size())));
}

}  // namespace
}  // namespace dso
