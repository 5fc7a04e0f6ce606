#include "stages/gate/gate_reports.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/finding.h"
#include "stages/core/json_text.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

using Json = nlohmann::json;
using dso::v1::Finding;

// Reports nest shallowly; anything deeper is not one.
constexpr int kMaxDepth = 64;

absl::Status Bad(const std::string& name, absl::string_view path,
                 absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ": ", path, ": ", what));
}

// A string member (empty when absent); an error when present but not text.
absl::StatusOr<std::string> Str(const Json& obj, const char* key,
                                const std::string& name,
                                const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Bad(name, path + "." + key, "must be a string");
  return it->get<std::string>();
}

absl::StatusOr<const Json*> Obj(const Json& obj, const char* key,
                                const std::string& name,
                                const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!it->is_object()) return Bad(name, path + "." + key, "must be an object");
  return &*it;
}

absl::StatusOr<dso::v1::Severity> SarifLevel(const std::string& level,
                                             const std::string& name,
                                             const std::string& path) {
  if (level == "error") return dso::v1::HIGH;
  if (level == "warning" || level.empty()) return dso::v1::MEDIUM;
  if (level == "note") return dso::v1::LOW;
  if (level == "none") return dso::v1::INFO;
  return Bad(name, path,
             absl::StrCat("'", level,
                          "' is not a SARIF level (error, warning, note, "
                          "none)"));
}

// properties["security-severity"] as a number, if present (SARIF tools
// write it as a string, GitHub's convention; a number is taken too).
absl::StatusOr<std::optional<double>> Score(const Json* props,
                                            const std::string& name,
                                            const std::string& path) {
  if (!props) return std::nullopt;
  auto it = props->find("security-severity");
  if (it == props->end()) return std::nullopt;
  double d;
  if (it->is_number()) return it->get<double>();
  if (it->is_string() && absl::SimpleAtod(it->get<std::string>(), &d) &&
      d >= 0 && d <= 10) {
    return d;
  }
  return Bad(name, path + ".properties.security-severity",
             "must be a score from 0 to 10");
}

// Tools whose findings count as a dso scanner's.
std::string ScannerOfTool(std::string tool) {
  tool = absl::AsciiStrToLower(tool);
  if (tool == "gitleaks" || tool == "trufflehog") return "secrets";
  return tool;
}

absl::Status AddSarif(const Json& log, const std::string& name,
                      std::vector<Finding>* out) {
  auto runs = log.find("runs");
  if (runs == log.end() || !runs->is_array()) {
    return Bad(name, "$.runs", "must be an array");
  }
  for (size_t ri = 0; ri < runs->size(); ++ri) {
    const Json& run = (*runs)[ri];
    std::string rp = absl::StrCat("$.runs[", ri, "]");
    if (!run.is_object()) return Bad(name, rp, "must be an object");
    ASSIGN_OR_RETURN(const Json* tool, Obj(run, "tool", name, rp));
    const Json* driver = nullptr;
    if (tool) {
      ASSIGN_OR_RETURN(driver, Obj(*tool, "driver", name, rp + ".tool"));
    }
    if (!driver) return Bad(name, rp + ".tool.driver", "is missing");
    ASSIGN_OR_RETURN(std::string tool_name,
                     Str(*driver, "name", name, rp + ".tool.driver"));
    // Rules by id and by index, for their default level and score.
    std::vector<const Json*> rules;
    absl::flat_hash_map<std::string, const Json*> rule_by_id;
    if (auto r = driver->find("rules"); r != driver->end()) {
      if (!r->is_array()) {
        return Bad(name, rp + ".tool.driver.rules", "must be an array");
      }
      for (const Json& rule : *r) {
        rules.push_back(&rule);
        if (rule.is_object() && rule.contains("id") && rule["id"].is_string()) {
          rule_by_id[rule["id"].get<std::string>()] = &rule;
        }
      }
    }
    auto results = run.find("results");
    if (results == run.end() || results->is_null()) continue;
    if (!results->is_array())
      return Bad(name, rp + ".results", "must be an array");
    for (size_t i = 0; i < results->size(); ++i) {
      const Json& r = (*results)[i];
      std::string p = absl::StrCat(rp, ".results[", i, "]");
      if (!r.is_object()) return Bad(name, p, "must be an object");
      ASSIGN_OR_RETURN(std::string rule_id, Str(r, "ruleId", name, p));
      const Json* rule = nullptr;
      if (auto it = rule_by_id.find(rule_id); it != rule_by_id.end()) {
        rule = it->second;
      } else if (auto idx = r.find("ruleIndex");
                 idx != r.end() && idx->is_number_unsigned() &&
                 idx->get<size_t>() < rules.size()) {
        rule = rules[idx->get<size_t>()];
        if (rule_id.empty() && rule->is_object() && rule->contains("id") &&
            (*rule)["id"].is_string()) {
          rule_id = (*rule)["id"].get<std::string>();
        }
      }
      if (rule_id.empty()) return Bad(name, p, "has no ruleId");
      ASSIGN_OR_RETURN(const Json* props, Obj(r, "properties", name, p));
      ASSIGN_OR_RETURN(auto score, Score(props, name, p));
      const Json* rule_props = nullptr;
      if (rule && rule->is_object()) {
        ASSIGN_OR_RETURN(rule_props,
                         Obj(*rule, "properties", name, p + " rule"));
        if (!score) {
          ASSIGN_OR_RETURN(score, Score(rule_props, name, p + " rule"));
        }
      }
      ASSIGN_OR_RETURN(std::string level, Str(r, "level", name, p));
      if (level.empty() && rule && rule->is_object()) {
        if (auto dc = rule->find("defaultConfiguration");
            dc != rule->end() && dc->is_object() && dc->contains("level") &&
            (*dc)["level"].is_string()) {
          level = (*dc)["level"].get<std::string>();
        }
      }
      Finding f;
      f.set_rule_id(rule_id);
      if (score) {
        f.set_severity(SeverityFromScore(*score));
      } else {
        ASSIGN_OR_RETURN(auto sev, SarifLevel(level, name, p + ".level"));
        f.set_severity(sev);
      }
      if (const Json* msg = r.contains("message") && r["message"].is_object()
                                ? &r["message"]
                                : nullptr) {
        ASSIGN_OR_RETURN(std::string text,
                         Str(*msg, "text", name, p + ".message"));
        f.set_title(text);
      }
      std::string scanner;
      if (props) {
        ASSIGN_OR_RETURN(scanner,
                         Str(*props, "scanner", name, p + ".properties"));
      }
      f.set_scanner(scanner.empty() ? ScannerOfTool(tool_name) : scanner);
      auto* loc = f.mutable_location();
      if (auto ls = r.find("locations"); ls != r.end() && ls->is_array() &&
                                         !ls->empty() && (*ls)[0].is_object()) {
        const Json& pl = (*ls)[0].value("physicalLocation", Json::object());
        if (pl.is_object()) {
          const Json& al = pl.value("artifactLocation", Json::object());
          if (al.is_object() && al.contains("uri") && al["uri"].is_string()) {
            loc->set_file(al["uri"].get<std::string>());
          }
          const Json& region = pl.value("region", Json::object());
          if (region.is_object() && region.contains("startLine") &&
              region["startLine"].is_number_unsigned()) {
            loc->set_line(region["startLine"].get<uint32_t>());
          }
        }
      }
      // The fingerprint: the tool's own, else rule, place and message.
      std::string fp;
      for (const char* key : {"fingerprints", "partialFingerprints"}) {
        auto it = r.find(key);
        if (fp.empty() && it != r.end() && it->is_object()) {
          for (const auto& [k, v] : it->items()) {
            if (v.is_string()) {
              fp = absl::StrCat(k, ":", v.get<std::string>());
              if (k == "primaryLocationLineHash") fp = v.get<std::string>();
              break;
            }
          }
        }
      }
      if (fp.empty()) {
        fp = Fingerprint({tool_name, rule_id, loc->file(),
                          absl::StrCat(loc->line()), f.title()});
      }
      f.set_fingerprint(fp);
      out->push_back(std::move(f));
    }
  }
  return absl::OkStatus();
}

absl::Status AddDsoJson(const Json& report, const std::string& name,
                        std::vector<Finding>* out) {
  const Json& list = report["findings"];
  if (!list.is_array()) return Bad(name, "$.findings", "must be an array");
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& e = list[i];
    std::string p = absl::StrCat("$.findings[", i, "]");
    if (!e.is_object()) return Bad(name, p, "must be an object");
    Finding f;
    ASSIGN_OR_RETURN(std::string rule, Str(e, "rule_id", name, p));
    if (rule.empty()) return Bad(name, p + ".rule_id", "is missing");
    f.set_rule_id(rule);
    ASSIGN_OR_RETURN(std::string sev, Str(e, "severity", name, p));
    auto parsed = ParseSeverity(sev);
    if (!parsed.ok()) {
      return Bad(name, p + ".severity",
                 absl::StrCat("'", sev, "' is not a severity"));
    }
    f.set_severity(*parsed);
    ASSIGN_OR_RETURN(std::string title, Str(e, "title", name, p));
    f.set_title(title);
    ASSIGN_OR_RETURN(std::string fp, Str(e, "fingerprint", name, p));
    ASSIGN_OR_RETURN(std::string scanner, Str(e, "scanner", name, p));
    f.set_scanner(scanner);
    ASSIGN_OR_RETURN(const Json* loc, Obj(e, "location", name, p));
    if (loc) {
      std::string lp = p + ".location";
      ASSIGN_OR_RETURN(std::string file, Str(*loc, "file", name, lp));
      ASSIGN_OR_RETURN(std::string pkg, Str(*loc, "package", name, lp));
      ASSIGN_OR_RETURN(std::string version, Str(*loc, "version", name, lp));
      f.mutable_location()->set_file(file);
      f.mutable_location()->set_package(pkg);
      f.mutable_location()->set_version(version);
      if (auto l = loc->find("line"); l != loc->end()) {
        if (!l->is_number_unsigned()) {
          return Bad(name, lp + ".line", "must be a line number");
        }
        f.mutable_location()->set_line(l->get<uint32_t>());
      }
    }
    if (auto refs = e.find("references"); refs != e.end()) {
      if (!refs->is_array())
        return Bad(name, p + ".references", "must be an array");
      for (const Json& r : *refs) {
        if (r.is_string()) f.add_references(r.get<std::string>());
      }
    }
    if (fp.empty()) {
      fp = Fingerprint({rule, f.location().file(),
                        absl::StrCat(f.location().line()),
                        f.location().package(), f.location().version()});
    }
    f.set_fingerprint(fp);
    out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

}  // namespace

dso::v1::Severity SeverityFromScore(double score) {
  if (score >= 9.0) return dso::v1::CRITICAL;
  if (score >= 7.0) return dso::v1::HIGH;
  if (score >= 4.0) return dso::v1::MEDIUM;
  if (score > 0.0) return dso::v1::LOW;
  return dso::v1::INFO;
}

absl::Status AddReport(absl::string_view text, const std::string& name,
                       GateInputs* out) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, name, kMaxDepth));
  if (!j.is_object()) {
    return Bad(name, "$", "is not a report (not a JSON object)");
  }
  std::vector<Finding> found;
  if (j.contains("bomFormat")) {
    if (j["bomFormat"] != "CycloneDX") {
      return Bad(name, "$.bomFormat", "must be \"CycloneDX\"");
    }
    out->sboms.push_back(name);
    out->reports.push_back(name);
    out->digests.push_back(Sha256Digest(text));
    return absl::OkStatus();
  }
  if (j.contains("runs")) {
    if (j.value("version", "") != "2.1.0") {
      return Bad(name, "$.version", "must be \"2.1.0\" (SARIF 2.1.0)");
    }
    RETURN_IF_ERROR(AddSarif(j, name, &found));
  } else if (j.contains("findings")) {
    RETURN_IF_ERROR(AddDsoJson(j, name, &found));
  } else {
    return Bad(name, "$",
               "is neither SARIF 2.1.0 (runs), a dso JSON report (findings) "
               "nor a CycloneDX SBOM (bomFormat)");
  }
  out->reports.push_back(name);
  out->digests.push_back(Sha256Digest(text));
  out->read += found.size();
  for (Finding& f : found) {
    auto [it, added] =
        out->index.emplace(f.fingerprint(), out->findings.size());
    if (added) {
      out->findings.push_back(std::move(f));
      continue;
    }
    ++out->duplicates;
    Finding& kept = out->findings[it->second];
    if (f.severity() > kept.severity()) kept.set_severity(f.severity());
  }
  return absl::OkStatus();
}

}  // namespace dso
