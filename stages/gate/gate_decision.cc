#include "stages/gate/gate_decision.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "stages/core/finding.h"

namespace dso {
namespace {

using dso::v1::Finding;
using dso::v1::Severity;
using ordered_json = nlohmann::ordered_json;

constexpr Severity kDescending[] = {dso::v1::CRITICAL, dso::v1::HIGH,
                                    dso::v1::MEDIUM, dso::v1::LOW,
                                    dso::v1::INFO};

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

std::string Allowed(const GateCondition& c) {
  return absl::StrCat(c.op, " ", c.allowed);
}

std::string XmlEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' &&
            c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

ordered_json WaiverJson(const Waiver& w) {
  ordered_json j;
  j["id"] = w.id;
  for (auto [k, v] : {std::pair<const char*, const std::string*>{
                          "fingerprint", &w.fingerprint},
                      {"rule", &w.rule},
                      {"advisory", &w.advisory},
                      {"package", &w.package},
                      {"path", &w.path}}) {
    if (!v->empty()) j[k] = *v;
  }
  j["reason"] = w.reason;
  j["owner"] = w.owner;
  j["expires"] = Day(w.expires);
  return j;
}

ordered_json DecisionObject(const GateDecision& d) {
  ordered_json j;
  j["schema"] = "dso.gate/v1";
  j["outcome"] = GateOutcome(d);
  j["mode"] = d.request.warn_mode ? "warn" : "enforce";
  j["level"] = d.request.level;
  j["stage"] = d.request.stage;
  j["policy"] = d.policy;
  j["date"] = Day(d.request.today);
  ordered_json inputs;
  ordered_json reports = ordered_json::array();
  for (size_t i = 0; i < d.reports.size(); ++i) {
    reports.push_back({{"name", d.reports[i]}, {"digest", d.digests[i]}});
  }
  inputs["reports"] = reports;
  inputs["findings_read"] = d.read;
  inputs["duplicates"] = d.duplicates;
  inputs["unique"] = d.unique;
  j["inputs"] = inputs;
  j["counts"] = d.counts;
  ordered_json conds = ordered_json::array();
  for (const auto& c : d.conditions) {
    conds.push_back({{"name", c.name},
                     {"actual", c.actual},
                     {"op", c.op},
                     {"allowed", c.allowed},
                     {"pass", c.pass},
                     {"detail", c.detail}});
  }
  j["conditions"] = conds;
  j["not_counted"] = {{"below_threshold", d.below_threshold},
                      {"in_baseline", d.in_baseline},
                      {"waived", d.waived_total}};
  ordered_json waived = ordered_json::array();
  for (const auto& w : d.waived) {
    ordered_json e = WaiverJson(w.waiver);
    e["findings"] = w.findings;
    e["fingerprints"] = w.fingerprints;
    waived.push_back(std::move(e));
  }
  j["waived"] = waived;
  ordered_json expired = ordered_json::array(), stale = ordered_json::array();
  for (const auto& w : d.expired) expired.push_back(WaiverJson(w));
  for (const auto& w : d.stale) stale.push_back(WaiverJson(w));
  j["expired_waivers"] = expired;
  j["stale_waivers"] = stale;
  return j;
}

}  // namespace

GateDecision Decide(const GatePolicy& policy, const GateRequest& request,
                    const GateInputs& inputs,
                    const std::vector<Waiver>& waivers,
                    const absl::flat_hash_set<std::string>& baseline) {
  GateDecision d;
  d.request = request;
  d.policy = policy.source;
  d.reports = inputs.reports;
  d.digests = inputs.digests;
  d.unique = inputs.findings.size();
  d.read = inputs.read;
  d.duplicates = inputs.duplicates;
  const LevelRules rules = RulesFor(policy, request.level, request.stage);

  std::vector<size_t> matched(waivers.size(), 0);
  std::map<size_t, WaiverUse> used;  // by waiver index: file order
  const WaiverIndex index(waivers);
  std::vector<size_t> candidates;
  std::map<std::string, int64_t> by_scanner;
  std::array<int64_t, 6> by_severity = {};
  for (const Finding& f : inputs.findings) {
    if (baseline.contains(f.fingerprint())) {
      ++d.in_baseline;
      continue;
    }
    std::optional<size_t> waiver;
    index.Candidates(f, &candidates);
    for (size_t i : candidates) {
      if (!WaiverMatches(waivers[i], f)) continue;
      ++matched[i];
      if (!waiver && waivers[i].expires >= request.today) waiver = i;
    }
    if (waiver) {
      WaiverUse& use = used[*waiver];
      if (use.findings++ == 0) use.waiver = waivers[*waiver];
      if (use.fingerprints.size() < kMaxListed) {
        use.fingerprints.push_back(f.fingerprint());
      }
      ++d.waived_total;
      continue;
    }
    // Scanner limits hold whatever the severity: secrets are never fine.
    ++by_scanner[f.scanner()];
    if (f.severity() < rules.count_from) {
      ++d.below_threshold;
      continue;
    }
    ++by_severity[f.severity()];
    if (d.counted_total++ < kMaxListed) d.counted.push_back(f);
  }
  for (auto& [i, use] : used) d.waived.push_back(std::move(use));
  for (Severity s : kDescending) {
    d.counts[std::string(SeverityName(s))] =
        s >= rules.count_from ? by_severity[s] : 0;
  }
  auto add = [&d](GateCondition c) {
    c.pass = c.op == "<=" ? c.actual <= c.allowed : c.actual >= c.allowed;
    d.pass &= c.pass;
    d.conditions.push_back(std::move(c));
  };
  for (Severity s : kDescending) {
    if (s < rules.count_from || rules.max[s] == kUnlimited) continue;
    add({absl::StrCat(SeverityName(s), " findings"), "<=", by_severity[s],
         rules.max[s], true,
         absl::StrCat("level ", request.level, ", ", request.stage,
                      " stage; waived and baseline findings not counted")});
  }
  for (const auto& [scanner, max] : policy.scanners) {
    auto it = by_scanner.find(scanner);
    add({absl::StrCat(scanner, " findings"),
         "<=", it == by_scanner.end() ? 0 : it->second, max, true,
         "every severity; waived and baseline findings not counted"});
  }
  for (size_t i = 0; i < waivers.size(); ++i) {
    if (waivers[i].expires < request.today) {
      d.expired.push_back(waivers[i]);
    } else if (matched[i] == 0) {
      d.stale.push_back(waivers[i]);
    }
  }
  if (request.stage == "final") {
    const FinalRequirements& req = policy.final_requirements;
    if (req.sbom) {
      add({"SBOM present", ">=", static_cast<int64_t>(inputs.sboms.size()), 1,
           true, "CycloneDX SBOMs among the reports"});
    }
    if (req.no_expired_waivers) {
      add({"expired waivers", "<=", static_cast<int64_t>(d.expired.size()), 0,
           true, "waivers past their expiry date"});
    }
    const Evidence& ev = inputs.evidence;
    auto for_subject = [&](const std::string& digest) {
      return request.subject.empty() || digest == request.subject;
    };
    std::string from =
        ev.files.empty()
            ? std::string(
                  "no verification evidence was given (--evidence: "
                  "what cosign verify / verify-attestation print)")
            : absl::StrCat("from ", absl::StrJoin(ev.files, ", "),
                           request.subject.empty()
                               ? ""
                               : absl::StrCat(", for ", request.subject));
    if (req.signed_image) {
      int64_t n = 0;
      for (const auto& digest : ev.signed_digests) n += for_subject(digest);
      add({"image signed and verified", ">=", n, 1, true,
           ev.files.empty() ? from : absl::StrCat("verified signatures ", from)});
    }
    for (const auto& type : req.attestations) {
      int64_t n = 0;
      for (const auto& a : ev.attestations) {
        if (a.predicate_type != type) continue;
        bool covers = request.subject.empty();
        for (const auto& s : a.subjects) covers |= for_subject(s);
        n += covers;
      }
      add({absl::StrCat("attestation ", type), ">=", n, 1, true,
           ev.files.empty() ? from
                            : absl::StrCat("verified attestations ", from)});
    }
  }
  return d;
}

std::string GateOutcome(const GateDecision& d) {
  if (d.pass) return "pass";
  return d.request.warn_mode ? "warn" : "fail";
}

std::string DecisionTable(const GateDecision& d) {
  std::string out = absl::StrFormat(
      "gate: level %d, %s stage, policy %s: %d reports, %d findings (%d "
      "duplicates merged), %d waived, %d in the baseline, %d below the "
      "counted severities\n",
      d.request.level, d.request.stage, d.policy, d.reports.size(), d.unique,
      d.duplicates, d.waived_total, d.in_baseline, d.below_threshold);
  absl::StrAppendFormat(&out, "  %-28s %8s %10s  %s\n", "condition", "actual",
                        "allowed", "result");
  for (const auto& c : d.conditions) {
    absl::StrAppendFormat(&out, "  %-28s %8d %10s  %s\n", c.name, c.actual,
                          Allowed(c), c.pass ? "pass" : "FAIL");
  }
  for (const auto& w : d.expired) {
    absl::StrAppend(&out, "  expired waiver ", w.id, " (owner ", w.owner,
                    ", expired ", Day(w.expires), "): it no longer applies\n");
  }
  for (const auto& w : d.stale) {
    absl::StrAppend(&out, "  stale waiver ", w.id, " (owner ", w.owner,
                    "): it matched no finding\n");
  }
  absl::StrAppend(&out, "gate: ", GateOutcome(d),
                  d.request.warn_mode && !d.pass
                      ? " (warn mode: it would fail, and does not)"
                      : "",
                  "\n");
  return out;
}

std::string DecisionJson(const GateDecision& d) {
  return DecisionObject(d).dump(2) + "\n";
}

std::string DecisionJunit(const GateDecision& d) {
  int failures = 0, skipped = 0;
  for (const auto& c : d.conditions) {
    if (!c.pass) ++(d.request.warn_mode ? skipped : failures);
  }
  std::string suite = absl::StrCat("dso gate: level ", d.request.level, ", ",
                                   d.request.stage, " stage");
  std::string classname =
      absl::StrCat("dso.gate.level", d.request.level, ".", d.request.stage);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<testsuites tests=\"", d.conditions.size(),
                  "\" failures=\"", failures, "\" errors=\"0\" skipped=\"",
                  skipped, "\">\n");
  absl::StrAppend(&out, "  <testsuite name=\"", XmlEscape(suite), "\" tests=\"",
                  d.conditions.size(), "\" failures=\"", failures,
                  "\" errors=\"0\" skipped=\"", skipped, "\">\n");
  for (const auto& c : d.conditions) {
    std::string text = absl::StrCat(c.name, ": ", c.actual, ", allowed ",
                                    Allowed(c), " (", c.detail, ")");
    absl::StrAppend(&out, "    <testcase classname=\"", XmlEscape(classname),
                    "\" name=\"",
                    XmlEscape(absl::StrCat(c.name, " ", Allowed(c))), "\"");
    if (c.pass) {
      absl::StrAppend(&out, "/>\n");
      continue;
    }
    if (d.request.warn_mode) {
      absl::StrAppend(&out, ">\n      <skipped message=\"",
                      XmlEscape(absl::StrCat("warn mode, would fail: ", text)),
                      "\"/>\n    </testcase>\n");
    } else {
      absl::StrAppend(&out, ">\n      <failure message=\"", XmlEscape(text),
                      "\">", XmlEscape(text), "</failure>\n    </testcase>\n");
    }
  }
  absl::StrAppend(&out, "  </testsuite>\n</testsuites>\n");
  return out;
}

std::string DecisionStatement(const GateDecision& d) {
  ordered_json subjects = ordered_json::array();
  for (size_t i = 0; i < d.reports.size(); ++i) {
    std::string hex = d.digests[i].substr(d.digests[i].find(':') + 1);
    subjects.push_back({{"name", d.reports[i]}, {"digest", {{"sha256", hex}}}});
  }
  ordered_json st;
  st["_type"] = "https://in-toto.io/Statement/v1";
  st["subject"] = subjects;
  st["predicateType"] = kGatePredicateType;
  st["predicate"] = DecisionObject(d);
  return st.dump(2) + "\n";
}

}  // namespace dso
