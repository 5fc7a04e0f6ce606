// C and C++ packages from Conan's conan.lock (ConanCenter): Conan 2's
// `requires`, `build_requires` and `python_requires` lists and Conan 1's
// `graph_lock.nodes[*].ref`, each "name/version[@user/channel][#revision]".
// A reference with a user and channel is not ConanCenter's: noted.
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

absl::Status ParseConanLock(absl::string_view text, const std::string& file,
                            Inventory* out) {
  auto parsed = ParseJson(text, file, 32);
  if (!parsed.ok()) return parsed.status();
  const auto lines = FirstLinesOfStrings(text);
  std::vector<std::string> refs;
  for (const char* list : {"requires", "build_requires", "python_requires"}) {
    const nlohmann::json& l = MemberAt(*parsed, list);
    if (!l.is_array()) continue;
    for (const auto& r : l) {
      if (r.is_string()) refs.push_back(r.get<std::string>());
    }
  }
  const nlohmann::json& nodes =
      MemberAt(MemberAt(*parsed, "graph_lock"), "nodes");
  if (nodes.is_object()) {
    for (const auto& [id, node] : nodes.items()) {
      std::string ref = StringAt(node, "ref");
      if (!ref.empty()) refs.push_back(ref);
    }
  }
  for (const std::string& ref : refs) {
    uint32_t line = LineOf(lines, ref);
    std::string bare = ref.substr(0, ref.find('#'));
    size_t slash = bare.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == bare.size()) {
      out->Warn(absl::StrCat(file, ":", line, ": '", ref.substr(0, 200),
                             "' is not name/version"));
      continue;
    }
    if (bare.find('@') != std::string::npos) {
      out->Note(absl::StrCat(file, ":", line, ": '", bare,
                             "' has a user and channel, not "
                             "ConanCenter's; not matched"));
      continue;
    }
    out->packages.push_back({"ConanCenter", bare.substr(0, slash),
                             bare.substr(slash + 1), file, line});
  }
  return absl::OkStatus();
}

}  // namespace dso
