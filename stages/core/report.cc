#include "stages/core/report.h"

#include <map>

#include "nlohmann/json.hpp"
#include "stages/core/finding.h"
#include "stages/core/percent_encoding.h"

namespace dso {

using nlohmann::ordered_json;

namespace {

ordered_json LocationJson(const dso::v1::Location& l) {
  ordered_json j = ordered_json::object();
  if (!l.file().empty()) j["file"] = l.file();
  if (l.line()) j["line"] = l.line();
  if (l.column()) j["column"] = l.column();
  if (l.end_line()) j["end_line"] = l.end_line();
  if (l.end_column()) j["end_column"] = l.end_column();
  if (!l.package().empty()) j["package"] = l.package();
  if (!l.version().empty()) j["version"] = l.version();
  if (!l.layer().empty()) j["layer"] = l.layer();
  if (!l.commit().empty()) j["commit"] = l.commit();
  return j;
}

absl::string_view SarifLevel(dso::v1::Severity s) {
  switch (s) {
    case dso::v1::CRITICAL:
    case dso::v1::HIGH:
      return "error";
    case dso::v1::MEDIUM:
      return "warning";
    default:
      return "note";
  }
}

std::string MessageText(const dso::v1::Finding& f) {
  std::string text = f.title().empty() ? f.rule_id() : f.title();
  if (!f.location().package().empty()) {
    text += " in " + f.location().package();
    if (!f.location().version().empty()) text += "@" + f.location().version();
  }
  if (!f.evidence().empty()) text += " (" + f.evidence() + ")";
  return text.empty() ? "finding" : text;
}

// Equivalent rules of other tools as SARIF properties named by the tool
// ("checkov": "CKV_DOCKER_1"), in name order.
void AddEquivalents(const dso::v1::Finding& f, ordered_json& properties) {
  std::map<std::string, std::string> sorted(f.equivalents().begin(),
                                            f.equivalents().end());
  for (const auto& [tool, id] : sorted) properties[tool] = id;
}

}  // namespace

std::string JsonReport(const ToolInfo& tool,
                       const std::vector<dso::v1::Finding>& findings) {
  ordered_json j;
  j["tool"] = {{"name", tool.name}, {"version", tool.version}};
  j["counts"] = CountBySeverity(findings);
  ordered_json list = ordered_json::array();
  for (const auto& f : findings) {
    ordered_json e;
    e["rule_id"] = f.rule_id();
    e["title"] = f.title();
    e["severity"] = SeverityName(f.severity());
    e["location"] = LocationJson(f.location());
    e["fingerprint"] = f.fingerprint();
    if (!f.evidence().empty()) e["evidence"] = f.evidence();
    if (!f.description().empty()) e["description"] = f.description();
    if (f.references_size()) {
      e["references"] = std::vector<std::string>(f.references().begin(),
                                                 f.references().end());
    }
    if (!f.scanner().empty()) e["scanner"] = f.scanner();
    if (!f.resource().empty()) e["resource"] = f.resource();
    if (f.equivalents_size()) {
      e["equivalents"] = std::map<std::string, std::string>(
          f.equivalents().begin(), f.equivalents().end());
    }
    list.push_back(std::move(e));
  }
  j["findings"] = std::move(list);
  // Invalid UTF-8 (a file name, a line of a scanned file) is replaced, not
  // thrown on.
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string SarifReport(const ToolInfo& tool,
                        const std::vector<dso::v1::Finding>& findings) {
  // One rule per rule id, with the highest severity seen for it.
  std::map<std::string, const dso::v1::Finding*> rules;
  for (const auto& f : findings) {
    auto [it, inserted] = rules.emplace(f.rule_id(), &f);
    if (!inserted && f.severity() > it->second->severity()) it->second = &f;
  }
  ordered_json rule_list = ordered_json::array();
  std::map<std::string, int> rule_index;
  for (const auto& [id, f] : rules) {
    rule_index[id] = static_cast<int>(rule_list.size());
    std::string title = f->title().empty() ? id : f->title();
    std::string full = f->description().empty() ? title : f->description();
    ordered_json r;
    r["id"] = id;
    r["shortDescription"] = {{"text", title}};
    r["fullDescription"] = {{"text", full}};
    r["help"] = {{"text", full}};
    r["defaultConfiguration"] = {{"level", SarifLevel(f->severity())}};
    r["properties"] = {
        {"security-severity", SecuritySeverityScore(f->severity())},
        {"tags", ordered_json::array({"security"})}};
    AddEquivalents(*f, r["properties"]);
    rule_list.push_back(std::move(r));
  }
  ordered_json results = ordered_json::array();
  for (const auto& f : findings) {
    ordered_json r;
    r["ruleId"] = f.rule_id();
    r["ruleIndex"] = rule_index[f.rule_id()];
    r["level"] = SarifLevel(f.severity());
    r["message"] = {{"text", MessageText(f)}};
    const auto& l = f.location();
    if (!l.file().empty()) {
      ordered_json region;
      region["startLine"] = l.line() ? l.line() : 1;
      if (l.column()) region["startColumn"] = l.column();
      if (l.end_line()) region["endLine"] = l.end_line();
      if (l.end_column()) region["endColumn"] = l.end_column();
      r["locations"] = ordered_json::array(
          {{{"physicalLocation",
             {{"artifactLocation",
               {{"uri", UrlEncode(l.file(), /*keep_slash=*/true)}}},
              {"region", region}}}}});
    }
    if (!f.fingerprint().empty()) {
      r["partialFingerprints"] = {{"primaryLocationLineHash", f.fingerprint()}};
    }
    ordered_json properties = ordered_json::object();
    if (!f.scanner().empty()) properties["scanner"] = f.scanner();
    if (!f.resource().empty()) properties["resource"] = f.resource();
    AddEquivalents(f, properties);
    if (!properties.empty()) r["properties"] = std::move(properties);
    results.push_back(std::move(r));
  }
  ordered_json driver;
  driver["name"] = tool.name;
  driver["version"] = tool.version;
  driver["informationUri"] = tool.information_uri;
  driver["rules"] = std::move(rule_list);
  ordered_json log;
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = ordered_json::array(
      {{{"tool", {{"driver", driver}}}, {"results", results}}});
  return log.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace dso
