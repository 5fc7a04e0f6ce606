// Waivers: accepted findings, each with a reason, an owner and an expiry
// date. A waiver names what it covers by fingerprint, rule id, advisory id
// or alias, package, and/or path glob (all it names must match). An
// expired waiver stops applying and is listed; one that matched nothing is
// listed as stale.
#ifndef DSO_STAGES_GATE_GATE_WAIVERS_H_
#define DSO_STAGES_GATE_GATE_WAIVERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "dso/v1/finding.pb.h"

namespace dso {

struct Waiver {
  std::string id;  // given, or "<file>:<line>"
  std::string fingerprint, rule, advisory, package, path;
  std::string reason, owner;
  absl::CivilDay expires;  // applies through this day (UTC)
};

// `waivers:` — a list of waivers, in a file of its own or as a policy
// file's section (`in_policy`: the file's other keys are the policy's).
// Errors name the file and line.
absl::StatusOr<std::vector<Waiver>> ParseWaivers(absl::string_view yaml,
                                                 const std::string& name,
                                                 bool in_policy = false);

bool WaiverMatches(const Waiver& w, const dso::v1::Finding& f);

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_WAIVERS_H_
