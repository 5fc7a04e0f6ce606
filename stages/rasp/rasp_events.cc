#include "stages/rasp/rasp_events.h"

#include <deque>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace dso {
namespace {

using nlohmann::ordered_json;

std::string Timestamp(absl::Time now) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::string> NormalizeRaspEvent(absl::string_view datagram,
                                               const std::string& deployment,
                                               absl::Time now) {
  auto in = nlohmann::json::parse(datagram.begin(), datagram.end(), nullptr,
                                  /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) {
    return absl::InvalidArgumentError("a RASP event that is not a JSON object");
  }
  auto kind = in.find("kind");
  if (kind == in.end() || !kind->is_string() ||
      (*kind != "exec" && *kind != "connect" && *kind != "open" &&
       *kind != "chmod" && *kind != "attr" && *kind != "signal")) {
    return absl::InvalidArgumentError("a RASP event of no known kind");
  }
  ordered_json out;
  out["@timestamp"] = Timestamp(now);
  out["deployment"] = deployment;
  for (const char* key :
       {"kind", "target", "decision", "mode", "reason", "detail", "exe"}) {
    auto it = in.find(key);
    if (it != in.end() && it->is_string()) {
      out[key == std::string("target") ? "what" : key] =
          it->get<std::string>().substr(0, 4096);
    }
  }
  for (const char* key : {"pid", "ppid"}) {
    auto it = in.find(key);
    if (it != in.end() && it->is_number_integer()) out[key] = *it;
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string LauncherEvent(const std::string& kind,
                          const std::string& deployment,
                          const std::string& fields_json, absl::Time now) {
  ordered_json out;
  out["@timestamp"] = Timestamp(now);
  out["deployment"] = deployment;
  out["kind"] = kind;
  auto fields = ordered_json::parse(fields_json, nullptr, false);
  if (fields.is_object()) {
    for (auto& [key, value] : fields.items()) out[key] = value;
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DescribeRaspEvent(absl::string_view line) {
  auto e = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (e.is_discarded() || !e.is_object()) return std::string(line);
  auto str = [&e](const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>()
                                            : std::string();
  };
  std::string kind = str("kind");
  std::string out = absl::StrCat(str("@timestamp"), " ");
  if (kind == "start" || kind == "exit") {
    absl::StrAppend(&out, kind, " ", e.value("pid", 0));
    if (e.contains("layers")) absl::StrAppend(&out, " ", e["layers"].dump());
    if (e.contains("status"))
      absl::StrAppend(&out, " status ", e["status"].dump());
    return out;
  }
  absl::StrAppend(&out, str("decision"), " ", kind, " ", str("what"), " (pid ",
                  e.value("pid", 0), ", ", str("exe"), ": ", str("reason"),
                  ")");
  if (!str("detail").empty()) absl::StrAppend(&out, " ", str("detail"));
  return out;
}

absl::StatusOr<std::vector<std::string>> ReadRaspEvents(const std::string& path,
                                                        size_t limit) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "no RASP event log at ", path, " (nothing deployed there under RASP)"));
  }
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    lines.push_back(std::move(line));
    if (limit && lines.size() > limit) lines.pop_front();
  }
  return std::vector<std::string>(lines.begin(), lines.end());
}

}  // namespace dso
