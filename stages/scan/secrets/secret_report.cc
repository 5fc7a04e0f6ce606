#include "stages/scan/secrets/secret_report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace dso {

dso::v1::Finding ToFinding(const SecretFinding& f, const SecretRule& rule) {
  dso::v1::Finding out;
  out.set_rule_id(rule.id);
  out.set_title(rule.description.empty() ? rule.id : rule.description);
  out.set_severity(rule.severity);
  auto* loc = out.mutable_location();
  loc->set_file(f.file);
  loc->set_line(f.line);
  loc->set_column(f.column);
  loc->set_end_line(f.end_line);
  loc->set_end_column(f.end_column);
  loc->set_commit(f.commit);
  out.set_fingerprint(f.Fingerprint(rule.id));
  out.set_evidence(f.secret.empty() ? f.match : f.secret);
  out.set_description(f.commit.empty()
                          ? absl::StrCat(rule.id, " in ", f.file)
                          : absl::StrCat(rule.id, " in ", f.file, " at commit ",
                                         f.commit.substr(0, 12), " by ",
                                         f.author, " (", f.date, ")"));
  if (!f.tags.empty()) {
    out.set_description(absl::StrCat(out.description(), " [",
                                     absl::StrJoin(f.tags, ", "), "]"));
  }
  out.set_scanner("secrets");
  out.add_references("CWE-798");
  return out;
}

std::string GitleaksJsonReport(const std::vector<SecretFinding>& findings,
                               const SecretRuleSet& rules) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& f : findings) {
    const SecretRule& rule = rules.rules[f.rule];
    nlohmann::ordered_json j;
    j["RuleID"] = rule.id;
    j["Description"] = rule.description;
    j["StartLine"] = f.line;
    j["EndLine"] = f.end_line;
    j["StartColumn"] = f.column;
    j["EndColumn"] = f.end_column;
    j["Match"] = f.match;
    j["Secret"] = f.secret;
    j["File"] = f.file;
    j["SymlinkFile"] = "";
    j["Commit"] = f.commit;
    // gitleaks writes a float32; six decimals keep reports comparable.
    j["Entropy"] = std::round(f.entropy * 1e6) / 1e6;
    j["Author"] = f.author;
    j["Email"] = f.email;
    j["Date"] = f.date;
    j["Message"] = f.message;
    std::vector<std::string> tags = rule.tags;
    tags.insert(tags.end(), f.tags.begin(), f.tags.end());
    j["Tags"] = tags;
    j["Fingerprint"] = f.Fingerprint(rule.id);
    arr.push_back(std::move(j));
  }
  return arr.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace dso
