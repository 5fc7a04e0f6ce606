#include "stages/gate/gate_waivers.h"

#include <fnmatch.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"
#include "stages/gate/gate_yaml.h"

namespace dso {

absl::StatusOr<std::vector<Waiver>> ParseWaivers(absl::string_view yaml,
                                                 const std::string& name,
                                                 bool in_policy) {
  ASSIGN_OR_RETURN(YamlFile f, YamlFile::Load(yaml, name));
  std::vector<Waiver> out;
  if (f.root().IsNull()) return out;
  if (!in_policy) {
    RETURN_IF_ERROR(f.CheckKeys(f.root(), "", {"version", "waivers"}));
  }
  const YAML::Node list = f.root()["waivers"];
  if (!list) return out;
  if (!list.IsSequence()) return f.Error(list, "waivers", "must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node w = list[i];
    std::string path = absl::StrCat("waivers[", i, "]");
    RETURN_IF_ERROR(
        f.CheckKeys(w, path,
                    {"id", "fingerprint", "rule", "advisory", "package", "path",
                     "reason", "owner", "expires"}));
    Waiver v;
    auto opt = [&](const char* key, std::string* dst) -> absl::Status {
      if (!w[key]) return absl::OkStatus();
      ASSIGN_OR_RETURN(*dst, f.String(w[key], absl::StrCat(path, ".", key)));
      return absl::OkStatus();
    };
    for (auto [key, dst] : {std::pair<const char*, std::string*>{"id", &v.id},
                            {"fingerprint", &v.fingerprint},
                            {"rule", &v.rule},
                            {"advisory", &v.advisory},
                            {"package", &v.package},
                            {"path", &v.path},
                            {"reason", &v.reason},
                            {"owner", &v.owner}}) {
      RETURN_IF_ERROR(opt(key, dst));
    }
    if (v.fingerprint.empty() && v.rule.empty() && v.advisory.empty() &&
        v.package.empty() && v.path.empty()) {
      return f.Error(w, path,
                     "names nothing to waive (fingerprint, rule, advisory, "
                     "package or path)");
    }
    for (auto [key, value] :
         {std::pair<const char*, std::string*>{"reason", &v.reason},
          {"owner", &v.owner}}) {
      if (value->empty()) {
        return f.Error(w, path, absl::StrCat("needs '", key, "'"));
      }
    }
    if (!w["expires"]) return f.Error(w, path, "needs 'expires' (YYYY-MM-DD)");
    ASSIGN_OR_RETURN(v.expires, f.Date(w["expires"], path + ".expires"));
    if (v.id.empty()) v.id = absl::StrCat(name, ":", w.Mark().line + 1);
    out.push_back(std::move(v));
  }
  return out;
}

bool WaiverMatches(const Waiver& w, const dso::v1::Finding& f) {
  if (!w.fingerprint.empty() && w.fingerprint != f.fingerprint()) return false;
  if (!w.rule.empty() && w.rule != f.rule_id()) return false;
  if (!w.advisory.empty() && w.advisory != f.rule_id()) {
    bool alias = false;
    for (const auto& r : f.references()) alias |= r == w.advisory;
    if (!alias) return false;
  }
  if (!w.package.empty() && w.package != f.location().package()) return false;
  if (!w.path.empty() &&
      fnmatch(w.path.c_str(), f.location().file().c_str(), 0) != 0) {
    return false;
  }
  return true;
}

WaiverIndex::WaiverIndex(const std::vector<Waiver>& waivers) {
  for (size_t i = 0; i < waivers.size(); ++i) {
    const Waiver& w = waivers[i];
    if (!w.fingerprint.empty()) {
      by_fingerprint_[w.fingerprint].push_back(i);
    } else if (!w.rule.empty()) {
      by_rule_[w.rule].push_back(i);
    } else if (!w.advisory.empty()) {
      by_advisory_[w.advisory].push_back(i);
    } else if (!w.package.empty()) {
      by_package_[w.package].push_back(i);
    } else {
      by_path_.push_back({w.path.substr(0, w.path.find_first_of("*?[\\")), i});
    }
  }
}

void WaiverIndex::Candidates(const dso::v1::Finding& f,
                             std::vector<size_t>* out) const {
  out->clear();
  auto add = [out](const Map& map, absl::string_view key) {
    if (map.empty() || key.empty()) return;
    auto it = map.find(key);
    if (it != map.end()) {
      out->insert(out->end(), it->second.begin(), it->second.end());
    }
  };
  add(by_fingerprint_, f.fingerprint());
  add(by_rule_, f.rule_id());
  add(by_advisory_, f.rule_id());
  for (const auto& ref : f.references()) add(by_advisory_, ref);
  add(by_package_, f.location().package());
  for (const auto& [prefix, i] : by_path_) {
    if (absl::StartsWith(f.location().file(), prefix)) out->push_back(i);
  }
  if (out->size() > 1) {
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
  }
}

}  // namespace dso
