#include "runtime/ecs_log.h"

#include <chrono>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace dso {

namespace {

// Fields of the log call in progress on this thread (the logger is
// synchronous, so the formatter runs on the calling thread).
thread_local const LogFields* current_fields = nullptr;
bool json_logs = true;

void Log(spdlog::level::level_enum level, absl::string_view message,
         const LogFields& fields) {
  if (!json_logs) {
    // Text for humans: the fields follow the message as name=value.
    std::string text(message);
    for (const auto& [k, v] : fields) text += " " + k + "=" + v;
    spdlog::default_logger_raw()->log(level, "{}", text);
    return;
  }
  current_fields = &fields;
  spdlog::default_logger_raw()->log(
      level, "{}", std::string_view(message.data(), message.size()));
  current_fields = nullptr;
}

}  // namespace

void EcsJsonFormatter::format(const spdlog::details::log_msg& msg,
                              spdlog::memory_buf_t& dest) {
  nlohmann::ordered_json j;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                msg.time.time_since_epoch())
                .count();
  j["@timestamp"] = absl::FormatTime(
      "%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixNanos(ns), absl::UTCTimeZone());
  auto lv = spdlog::level::to_string_view(msg.level);
  j["log.level"] = std::string(lv.data(), lv.size());
  j["message"] = std::string(msg.payload.data(), msg.payload.size());
  j["ecs.version"] = "8.11.0";
  j["service.name"] = "dso-agent";
  if (current_fields) {
    for (const auto& [k, v] : *current_fields) j[k] = v;
  }
  // Invalid UTF-8 is replaced rather than thrown on.
  std::string line =
      j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> EcsJsonFormatter::clone() const {
  return std::make_unique<EcsJsonFormatter>();
}

void InitLogging(bool json, bool quiet) {
  json_logs = json;
  auto logger = std::make_shared<spdlog::logger>(
      "dso", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (json) {
    logger->set_formatter(std::make_unique<EcsJsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  }
  logger->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void LogInfo(absl::string_view message, const LogFields& fields) {
  Log(spdlog::level::info, message, fields);
}
void LogWarn(absl::string_view message, const LogFields& fields) {
  Log(spdlog::level::warn, message, fields);
}
void LogError(absl::string_view message, const LogFields& fields) {
  Log(spdlog::level::err, message, fields);
}

}  // namespace dso
