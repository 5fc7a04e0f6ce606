// The gate's decision: every condition of the policy for the level and
// stage, what it counted, the actual number, what is allowed, pass or
// fail; which findings waivers covered, which waivers expired or matched
// nothing; and the decision as a table, JSON (dso.gate/v1), JUnit XML (one
// test case per condition) and an in-toto Statement ready to be signed.
#ifndef DSO_STAGES_GATE_GATE_DECISION_H_
#define DSO_STAGES_GATE_GATE_DECISION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "dso/v1/finding.pb.h"
#include "stages/attest/predicates.h"
#include "stages/gate/gate_policy.h"
#include "stages/gate/gate_reports.h"
#include "stages/gate/gate_waivers.h"

namespace dso {

struct GateRequest {
  int level = 1;                 // 1..4
  std::string stage = "source";  // source | container | final
  bool warn_mode = false;        // report, never fail
  absl::CivilDay today;          // for waiver expiry (UTC)
  bool have_baseline = false;
  // The image the final gate judges ("sha256:<hex>"); empty: evidence for
  // any image counts.
  std::string subject;
};

struct GateCondition {
  std::string name;  // "HIGH findings", "secrets findings", "SBOM present"
  std::string op;    // "<=" or ">="
  int64_t actual = 0;
  int64_t allowed = 0;
  bool pass = true;
  std::string detail;  // how it was counted
};

// What one waiver covered in this decision.
struct WaiverUse {
  Waiver waiver;
  size_t findings = 0;
  std::vector<std::string> fingerprints;  // the first kMaxListed of them
};

// Lists in the decision hold at most this many entries each; the counts
// are always whole.
inline constexpr size_t kMaxListed = 1000;

struct GateDecision {
  GateRequest request;
  std::string policy;  // where the policy came from
  bool pass = true;    // all conditions pass (warn mode: what it would be)
  std::vector<GateCondition> conditions;
  // The findings the limits judged: how many, and the first kMaxListed.
  size_t counted_total = 0;
  std::vector<dso::v1::Finding> counted;
  std::map<std::string, uint64_t> counts;  // counted, by severity name
  size_t unique = 0, read = 0, duplicates = 0;
  size_t below_threshold = 0, in_baseline = 0, waived_total = 0;
  std::vector<WaiverUse> waived;  // per waiver that applied, in file order
  std::vector<Waiver> expired;    // matched a finding, but past their date
  std::vector<Waiver> stale;      // current, matched nothing
  std::vector<std::string> reports, digests;
};

GateDecision Decide(const GatePolicy& policy, const GateRequest& request,
                    const GateInputs& inputs,
                    const std::vector<Waiver>& waivers,
                    const absl::flat_hash_set<std::string>& baseline);

// "pass", "fail", or "warn" (warn mode and it would fail).
std::string GateOutcome(const GateDecision& d);
// Human-readable: one line per condition, then waiver notes.
std::string DecisionTable(const GateDecision& d);
std::string DecisionJson(const GateDecision& d);
std::string DecisionJunit(const GateDecision& d);
// in-toto Statement v1: the reports judged as subjects, the decision JSON as
// predicate, predicateType kGatePredicateType.
std::string DecisionStatement(const GateDecision& d);

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_DECISION_H_
