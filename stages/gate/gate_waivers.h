// Waivers: accepted findings, each with a reason, an owner and an expiry
// date. A waiver names what it covers by fingerprint, rule id, advisory id
// or alias, package, and/or path glob (all it names must match). An
// expired waiver stops applying and is listed; one that matched nothing is
// listed as stale.
#ifndef DSO_STAGES_GATE_GATE_WAIVERS_H_
#define DSO_STAGES_GATE_GATE_WAIVERS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// Which waivers may match a finding, without trying each: every waiver is
// filed under the first thing it names (fingerprint, rule, advisory,
// package) or, naming only a path, under its glob's literal prefix.
class WaiverIndex {
 public:
  explicit WaiverIndex(const std::vector<Waiver>& waivers);
  // Indices into the waivers, ascending (file order), each once; callers
  // still check WaiverMatches.
  void Candidates(const dso::v1::Finding& f, std::vector<size_t>* out) const;

 private:
  using Map = absl::flat_hash_map<std::string, std::vector<size_t>>;
  Map by_fingerprint_, by_rule_, by_advisory_, by_package_;
  std::vector<std::pair<std::string, size_t>> by_path_;  // prefix, index
};

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_WAIVERS_H_
