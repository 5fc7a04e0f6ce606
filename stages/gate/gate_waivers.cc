#include "stages/gate/gate_waivers.h"

#include <fnmatch.h>

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

}  // namespace dso
