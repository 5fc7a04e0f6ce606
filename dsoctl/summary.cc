#include "dsoctl/summary.h"

#include <filesystem>
#include <iostream>
#include <map>

#include "dsoctl/exit_codes.h"
#include "stages/core/atomic_file.h"
#include "stages/core/finding.h"

namespace dso {

using nlohmann::ordered_json;

ordered_json RunSummary(const RunSummaryInput& in, const FollowResult& run) {
  ordered_json j;
  j["schema"] = "dso.summary/v1";
  j["step"] = in.step;
  j["run_id"] = run.run_id;
  j["agent"] = in.agent;
  j["outcome"] = dso::v1::Outcome_Name(run.result.outcome());
  j["exit_code"] = in.exit_code;
  j["message"] = run.result.message();
  if (in.step == "exec") j["command_exit_code"] = run.result.exit_code();
  // Counts in severity order; the step's own counts win over the tally of
  // finding events.
  auto tally = CountBySeverity(run.findings);
  ordered_json counts = ordered_json::object();
  for (const char* sev : {"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"}) {
    auto it = run.result.counts().find(sev);
    counts[sev] = it != run.result.counts().end() ? it->second : tally[sev];
  }
  j["counts"] = counts;
  ordered_json reports = ordered_json::object();
  ordered_json artifacts = ordered_json::array();
  for (const auto& a : run.artifacts) {
    ordered_json e;
    e["name"] = a.name();
    e["digest"] = a.digest();
    e["size"] = a.size();
    if (!a.media_type().empty()) e["media_type"] = a.media_type();
    auto it = in.local_paths.find(a.name());
    if (it != in.local_paths.end()) {
      e["path"] = it->second;
      reports[a.name()] = it->second;
    }
    artifacts.push_back(e);
  }
  j["reports"] = reports;
  j["artifacts"] = artifacts;
  if (!run.result.outputs().empty()) {
    // Sorted, so the summary is the same from run to run.
    std::map<std::string, std::string> outputs(run.result.outputs().begin(),
                                               run.result.outputs().end());
    j["outputs"] = outputs;
  }
  j["duration_seconds"] = absl::ToDoubleSeconds(in.duration);
  return j;
}

ordered_json ErrorSummary(const std::string& step, const std::string& agent,
                          const absl::Status& status, int exit_code) {
  ordered_json j;
  j["schema"] = "dso.summary/v1";
  j["step"] = step;
  j["agent"] = agent;
  j["outcome"] = exit_code == kExitCancelled ? "CANCELLED" : "ERROR";
  j["exit_code"] = exit_code;
  j["message"] = std::string(status.message());
  j["error_code"] = absl::StatusCodeToString(status.code());
  return j;
}

int WriteSummary(const std::string& path, const ordered_json& json,
                 int exit_code) {
  if (path.empty()) return exit_code;
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  absl::Status s = WriteFileAtomically(
      path, json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                "\n");
  if (!s.ok()) {
    std::cerr << "dsoctl: cannot write --json summary: " << s.message() << "\n";
    return exit_code == kExitOk ? kExitInfra : exit_code;
  }
  return exit_code;
}

}  // namespace dso
