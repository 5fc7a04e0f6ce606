#include "stages/gate/gate_policy.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"
#include "stages/gate/gate_yaml.h"

namespace dso {
namespace {

using dso::v1::Severity;

absl::StatusOr<LevelOverride> ParseLevel(const YamlFile& f,
                                         const YAML::Node& node,
                                         const std::string& path) {
  RETURN_IF_ERROR(f.CheckKeys(node, path, {"max", "count_from"}));
  LevelOverride out;
  if (node["count_from"]) {
    ASSIGN_OR_RETURN(out.count_from,
                     f.Severity(node["count_from"], path + ".count_from"));
  }
  if (const YAML::Node max = node["max"]) {
    RETURN_IF_ERROR(f.ExpectMap(max, path + ".max"));
    for (const auto& kv : max) {
      std::string where = absl::StrCat(path, ".max.", kv.first.Scalar());
      ASSIGN_OR_RETURN(Severity sev, f.Severity(kv.first, where));
      ASSIGN_OR_RETURN(out.max[sev], f.Count(kv.second, where));
    }
  }
  return out;
}

absl::StatusOr<std::map<int, LevelOverride>> ParseLevels(
    const YamlFile& f, const YAML::Node& node, const std::string& path) {
  RETURN_IF_ERROR(f.ExpectMap(node, path));
  std::map<int, LevelOverride> out;
  for (const auto& kv : node) {
    int level;
    std::string key = kv.first.Scalar();
    if (!absl::SimpleAtoi(key, &level) || level < 1 || level > 4) {
      return f.Error(kv.first, path,
                     absl::StrCat("'", key, "' is not a level (1 to 4)"));
    }
    ASSIGN_OR_RETURN(out[level],
                     ParseLevel(f, kv.second, absl::StrCat(path, ".", key)));
  }
  return out;
}

void Apply(const LevelOverride& o, LevelRules* rules) {
  for (const auto& [sev, n] : o.max) rules->max[sev] = n;
  if (o.count_from) rules->count_from = *o.count_from;
}

absl::Status ParseRequire(const YamlFile& f, const YAML::Node& node,
                          FinalRequirements* out) {
  const std::string path = "stages.final.require";
  RETURN_IF_ERROR(f.CheckKeys(
      node, path, {"sbom", "no_expired_waivers", "signed", "attestations"}));
  if (node["sbom"]) {
    ASSIGN_OR_RETURN(out->sbom, f.Bool(node["sbom"], path + ".sbom"));
  }
  if (node["no_expired_waivers"]) {
    ASSIGN_OR_RETURN(
        out->no_expired_waivers,
        f.Bool(node["no_expired_waivers"], path + ".no_expired_waivers"));
  }
  if (node["signed"]) {
    ASSIGN_OR_RETURN(out->signed_image,
                     f.Bool(node["signed"], path + ".signed"));
  }
  if (const YAML::Node a = node["attestations"]) {
    if (!a.IsSequence()) {
      return f.Error(a, path + ".attestations",
                     "must be a list of predicate type URIs");
    }
    out->attestations.clear();
    for (const auto& item : a) {
      ASSIGN_OR_RETURN(std::string t, f.String(item, path + ".attestations"));
      out->attestations.push_back(t);
    }
  }
  return absl::OkStatus();
}

}  // namespace

GatePolicy DefaultPolicy() {
  GatePolicy p;
  p.source = "built-in default";
  for (int level = 1; level <= 3; ++level) {
    auto& m = p.levels[level].max;
    m[dso::v1::CRITICAL] = 0;
    m[dso::v1::HIGH] = 1;
    m[dso::v1::MEDIUM] = 2;
    m[dso::v1::LOW] = 3;
  }
  for (Severity s :
       {dso::v1::CRITICAL, dso::v1::HIGH, dso::v1::MEDIUM, dso::v1::LOW}) {
    p.levels[4].max[s] = 0;
  }
  p.scanners["secrets"] = 0;
  p.final_requirements.sbom = true;
  p.final_requirements.no_expired_waivers = true;
  return p;
}

absl::StatusOr<GatePolicy> ParsePolicy(absl::string_view yaml,
                                       const std::string& name) {
  ASSIGN_OR_RETURN(YamlFile f, YamlFile::Load(yaml, name));
  const YAML::Node& root = f.root();
  RETURN_IF_ERROR(f.CheckKeys(
      root, "", {"version", "levels", "stages", "scanners", "waivers"}));
  if (const YAML::Node v = root["version"]) {
    ASSIGN_OR_RETURN(int64_t version, f.Count(v, "version"));
    if (version != 1) return f.Error(v, "version", "only version 1 exists");
  }
  GatePolicy p = DefaultPolicy();
  p.source = name;
  if (const YAML::Node levels = root["levels"]) {
    ASSIGN_OR_RETURN(auto parsed, ParseLevels(f, levels, "levels"));
    for (const auto& [level, o] : parsed) Apply(o, &p.levels[level]);
  }
  if (const YAML::Node stages = root["stages"]) {
    RETURN_IF_ERROR(
        f.CheckKeys(stages, "stages", {"source", "container", "final"}));
    for (const auto& kv : stages) {
      std::string stage = kv.first.Scalar();
      std::string path = "stages." + stage;
      RETURN_IF_ERROR(f.CheckKeys(
          kv.second, path,
          stage == "final"
              ? std::initializer_list<absl::string_view>{"levels", "require"}
              : std::initializer_list<absl::string_view>{"levels"}));
      if (const YAML::Node l = kv.second["levels"]) {
        ASSIGN_OR_RETURN(p.stages[stage], ParseLevels(f, l, path + ".levels"));
      }
      if (const YAML::Node r = kv.second["require"]) {
        RETURN_IF_ERROR(ParseRequire(f, r, &p.final_requirements));
      }
    }
  }
  if (const YAML::Node scanners = root["scanners"]) {
    RETURN_IF_ERROR(f.ExpectMap(scanners, "scanners"));
    for (const auto& kv : scanners) {
      std::string path = "scanners." + kv.first.Scalar();
      RETURN_IF_ERROR(f.CheckKeys(kv.second, path, {"max"}));
      if (!kv.second["max"]) return f.Error(kv.second, path, "needs 'max'");
      ASSIGN_OR_RETURN(p.scanners[kv.first.Scalar()],
                       f.Count(kv.second["max"], path + ".max"));
    }
  }
  return p;
}

LevelRules RulesFor(const GatePolicy& policy, int level,
                    const std::string& stage) {
  LevelRules rules = policy.levels[level];
  auto s = policy.stages.find(stage);
  if (s != policy.stages.end()) {
    auto l = s->second.find(level);
    if (l != s->second.end()) Apply(l->second, &rules);
  }
  return rules;
}

}  // namespace dso
