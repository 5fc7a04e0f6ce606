// The gate's policy: per system level (1–4) which severities count and how
// many findings of each are allowed, per-stage overrides (source,
// container, final), limits per scanner (secrets: none), and the final
// gate's compliance requirements. Without a policy file the built-in
// default is the design article's matrix (docs/gate.md says how its
// wording was read).
#ifndef DSO_STAGES_GATE_GATE_POLICY_H_
#define DSO_STAGES_GATE_GATE_POLICY_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dso/v1/finding.pb.h"

namespace dso {

inline constexpr int64_t kUnlimited = -1;

// Limits for one level at one stage. max is indexed by dso::v1::Severity
// (INFO..CRITICAL); kUnlimited where the policy sets none. Findings below
// count_from do not count at all.
struct LevelRules {
  std::array<int64_t, 6> max = {kUnlimited, kUnlimited, kUnlimited,
                                kUnlimited, kUnlimited, kUnlimited};
  dso::v1::Severity count_from = dso::v1::LOW;
};

// What a policy file may set for a level: each part optional, so a stage
// override changes only what it names.
struct LevelOverride {
  std::map<dso::v1::Severity, int64_t> max;
  std::optional<dso::v1::Severity> count_from;
};

struct FinalRequirements {
  bool sbom = false;                // a CycloneDX SBOM among the inputs
  bool no_expired_waivers = false;  // every waiver that matched is current
  bool signed_image = false;        // verification evidence given and passed
  std::vector<std::string> attestations;  // predicate types required
};

struct GatePolicy {
  std::string source;                // "built-in default" or the file's name
  std::array<LevelRules, 5> levels;  // [1..4]; [0] unused
  // stage -> level -> override
  std::map<std::string, std::map<int, LevelOverride>> stages;
  // scanner -> most findings allowed from it (counted ones), at every level
  std::map<std::string, int64_t> scanners;
  FinalRequirements final_requirements;
};

// The design article's matrix: levels 1–3 allow at most 1 HIGH, 2 MEDIUM,
// 3 LOW and no CRITICAL; level 4 allows no finding of LOW or above;
// secrets: none at any level; the final stage requires an SBOM and no
// expired waivers.
GatePolicy DefaultPolicy();

// A policy file (YAML, pipelines/policy/policy.yaml documents every key);
// what it does not set keeps the default. Its `waivers:` section is read
// by ParseWaivers. Errors name the file and line.
absl::StatusOr<GatePolicy> ParsePolicy(absl::string_view yaml,
                                       const std::string& name);

// The rules for `level` at `stage`, overrides applied.
LevelRules RulesFor(const GatePolicy& policy, int level,
                    const std::string& stage);

inline bool IsStage(absl::string_view s) {
  return s == "source" || s == "container" || s == "final";
}

}  // namespace dso

#endif  // DSO_STAGES_GATE_GATE_POLICY_H_
