// Structured logs for the agent: one JSON object per line with ECS field
// names (@timestamp, log.level, message, ecs.version) plus optional fields
// such as dso.run_id, dso.step and user.name. Every value is escaped, so a
// message with quotes or newlines can never break the line structure.
//
//   LogInfo("run started", {{"dso.run_id", id}, {"dso.step", "exec"}});
//
// Thread-safe. Logs go to stderr unless InitLogging names a file.
#ifndef DSO_RUNTIME_ECS_LOG_H_
#define DSO_RUNTIME_ECS_LOG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "spdlog/formatter.h"

namespace dso {

using LogFields = std::vector<std::pair<std::string, std::string>>;

// spdlog formatter producing ECS JSON lines.
class EcsJsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Sets up the process logger: ECS JSON to stderr (json=true) or plain text
// for humans; `quiet` keeps only warnings and errors.
void InitLogging(bool json, bool quiet);

void LogInfo(absl::string_view message, const LogFields& fields = {});
void LogWarn(absl::string_view message, const LogFields& fields = {});
void LogError(absl::string_view message, const LogFields& fields = {});

}  // namespace dso

#endif  // DSO_RUNTIME_ECS_LOG_H_
