#include "stages/scan/deps/internal/osv_record.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "stages/core/json_text.h"

namespace dso {
namespace {

using Json = nlohmann::json;

class RecordReader {
 public:
  explicit RecordReader(const std::string& name) : name_(name) {}

  absl::Status Error(absl::string_view path, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(name_, ": ", path, path.empty() ? "" : ": ", what));
  }

  // obj[key] as a string into *out; absent is fine unless `required`.
  absl::Status String(const Json& obj, const char* key, const std::string& at,
                      bool required, std::string* out) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      return required ? Error(at, absl::StrCat("'", key, "' is missing"))
                      : absl::OkStatus();
    }
    if (!it->is_string()) {
      return Error(at, absl::StrCat("'", key, "' must be a string"));
    }
    *out = it->get<std::string>();
    return absl::OkStatus();
  }

  // obj[key] as an array (absent: empty) into *out.
  absl::Status Array(const Json& obj, const char* key, const std::string& at,
                     const Json** out) const {
    static const Json kEmpty = Json::array();
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      *out = &kEmpty;
      return absl::OkStatus();
    }
    if (!it->is_array()) {
      return Error(at, absl::StrCat("'", key, "' must be a list"));
    }
    *out = &*it;
    return absl::OkStatus();
  }

  absl::Status Strings(const Json& obj, const char* key, const std::string& at,
                       std::vector<std::string>* out) const {
    const Json* list;
    if (auto s = Array(obj, key, at, &list); !s.ok()) return s;
    for (size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_string()) {
        return Error(absl::StrCat(at.empty() ? "" : ".", key, "[", i, "]"),
                     "must be a string");
      }
      out->push_back((*list)[i].get<std::string>());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<OsvRange> Range(const Json& r, const std::string& at) const {
    if (!r.is_object()) return Error(at, "must be a mapping");
    OsvRange range;
    std::string type;
    if (auto s = String(r, "type", at, true, &type); !s.ok()) return s;
    if (type == "SEMVER") {
      range.type = OsvRange::kSemver;
    } else if (type == "ECOSYSTEM") {
      range.type = OsvRange::kEcosystem;
    } else if (type == "GIT") {
      range.type = OsvRange::kGit;
    } else {
      return Error(at, absl::StrCat("unknown range type '", type, "'"));
    }
    const Json* events;
    if (auto s = Array(r, "events", at, &events); !s.ok()) return s;
    if (events->empty()) return Error(at, "a range needs events");
    static constexpr std::pair<const char*, OsvEvent::Kind> kKinds[] = {
        {"introduced", OsvEvent::kIntroduced},
        {"fixed", OsvEvent::kFixed},
        {"last_affected", OsvEvent::kLastAffected},
        {"limit", OsvEvent::kLimit}};
    for (size_t i = 0; i < events->size(); ++i) {
      const Json& e = (*events)[i];
      std::string eat = absl::StrCat(at, ".events[", i, "]");
      if (!e.is_object() || e.size() != 1) {
        return Error(eat, "an event is a mapping with one key");
      }
      OsvEvent ev;
      bool known = false;
      for (const auto& [key, kind] : kKinds) {
        if (e.contains(key)) {
          if (auto s = String(e, key, eat, true, &ev.version); !s.ok()) {
            return s;
          }
          ev.kind = kind;
          known = true;
        }
      }
      if (!known) {
        return Error(eat,
                     absl::StrCat("unknown event '", e.begin().key(), "'"));
      }
      range.events.push_back(std::move(ev));
    }
    return range;
  }

  absl::StatusOr<OsvAffected> Affected(const Json& a,
                                       const std::string& at) const {
    if (!a.is_object()) return Error(at, "must be a mapping");
    OsvAffected out;
    auto pkg = a.find("package");
    if (pkg == a.end() || !pkg->is_object()) {
      return Error(at, "'package' must be a mapping");
    }
    std::string pat = at + ".package";
    if (auto s = String(*pkg, "ecosystem", pat, true, &out.ecosystem);
        !s.ok()) {
      return s;
    }
    if (auto s = String(*pkg, "name", pat, true, &out.name); !s.ok()) {
      return s;
    }
    const Json* ranges;
    if (auto s = Array(a, "ranges", at, &ranges); !s.ok()) return s;
    for (size_t i = 0; i < ranges->size(); ++i) {
      auto r = Range((*ranges)[i], absl::StrCat(at, ".ranges[", i, "]"));
      if (!r.ok()) return r.status();
      out.ranges.push_back(*std::move(r));
    }
    if (auto s = Strings(a, "versions", at, &out.versions); !s.ok()) return s;
    return out;
  }

  absl::StatusOr<OsvRecord> Record(const Json& j) const {
    if (!j.is_object()) return Error("", "a record must be a mapping");
    OsvRecord r;
    for (auto [key, field, required] :
         {std::tuple{"id", &r.id, true},
          std::tuple{"modified", &r.modified, true},
          std::tuple{"withdrawn", &r.withdrawn, false},
          std::tuple{"summary", &r.summary, false}}) {
      if (auto s = String(j, key, "", required, field); !s.ok()) return s;
    }
    if (auto s = Strings(j, "aliases", "", &r.aliases); !s.ok()) return s;
    const Json* severity;
    if (auto s = Array(j, "severity", "", &severity); !s.ok()) return s;
    for (size_t i = 0; i < severity->size(); ++i) {
      std::string at = absl::StrCat("severity[", i, "]");
      const Json& sv = (*severity)[i];
      if (!sv.is_object()) return Error(at, "must be a mapping");
      OsvSeverity out;
      if (auto s = String(sv, "type", at, true, &out.type); !s.ok()) return s;
      if (auto s = String(sv, "score", at, true, &out.score); !s.ok()) {
        return s;
      }
      r.severity.push_back(std::move(out));
    }
    if (auto db = j.find("database_specific");
        db != j.end() && db->is_object()) {
      if (auto sev = db->find("severity");
          sev != db->end() && sev->is_string()) {
        r.database_severity = sev->get<std::string>();
      }
    }
    const Json* affected;
    if (auto s = Array(j, "affected", "", &affected); !s.ok()) return s;
    for (size_t i = 0; i < affected->size(); ++i) {
      auto a = Affected((*affected)[i], absl::StrCat("affected[", i, "]"));
      if (!a.ok()) return a.status();
      r.affected.push_back(*std::move(a));
    }
    return r;
  }

 private:
  const std::string& name_;
};

absl::Status CheckSize(absl::string_view text, const std::string& name) {
  if (text.size() > kMaxOsvRecordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": ", text.size(),
                                                   " bytes; a record may have ",
                                                   kMaxOsvRecordBytes));
  }
  return absl::OkStatus();
}

// What a conversion may still produce. An alias is a reference in
// yaml-cpp's tree but a copy in JSON, so `&a [*b, *b]` chains double at
// each level (405 bytes once aborted `db import`).
struct YamlBudget {
  size_t nodes;
  size_t bytes;  // of scalars
};

absl::StatusOr<Json> YamlToJson(const YAML::Node& n, int depth,
                                const RecordReader& reader,
                                YamlBudget& budget) {
  if (depth > kMaxOsvNesting) {
    return reader.Error("",
                        absl::StrCat("nested deeper than ", kMaxOsvNesting));
  }
  if (budget.nodes == 0 || (n.IsScalar() && n.Scalar().size() > budget.bytes)) {
    return reader.Error("",
                        "its aliases expand past what a record of its "
                        "size can hold; refused");
  }
  --budget.nodes;
  if (n.IsScalar()) budget.bytes -= n.Scalar().size();
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Json();
    case YAML::NodeType::Scalar:
      return Json(n.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : n) {
        auto v = YamlToJson(item, depth + 1, reader, budget);
        if (!v.ok()) return v.status();
        out.push_back(*std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
          return reader.Error("", "a mapping key is not a plain value");
        }
        auto v = YamlToJson(kv.second, depth + 1, reader, budget);
        if (!v.ok()) return v.status();
        out[kv.first.Scalar()] = *std::move(v);
      }
      return out;
    }
  }
  return Json();
}

// yaml-cpp parses recursively: refuse deeply nested flow collections, and
// indentation deeper than nesting `limit` levels could need, before.
bool FlowNestingAtMost(absl::string_view text, int limit) {
  int depth = 0;
  char quote = 0;
  size_t indent = 0;
  bool line_start = true;
  for (char c : text) {
    if (line_start) {
      if (c == ' ') {
        if (++indent > static_cast<size_t>(8 * limit)) return false;
        continue;
      }
      line_start = false;
    }
    if (c == '\n') {
      line_start = true;
      indent = 0;
    }
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == '\n') {
      quote = 0;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<OsvRecord> ParseOsvJson(absl::string_view text,
                                       const std::string& name) {
  if (auto s = CheckSize(text, name); !s.ok()) return s;
  RecordReader reader(name);
  auto j = ParseJson(text, name, kMaxOsvNesting);
  if (!j.ok()) return j.status();
  return reader.Record(*j);
}

absl::StatusOr<OsvRecord> ParseOsvYaml(absl::string_view text,
                                       const std::string& name) {
  if (auto s = CheckSize(text, name); !s.ok()) return s;
  RecordReader reader(name);
  if (!FlowNestingAtMost(text, kMaxOsvNesting)) {
    return reader.Error("",
                        absl::StrCat("nested deeper than ", kMaxOsvNesting));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return reader.Error(
        "", absl::StrCat("not YAML: line ", e.mark.line + 1, ": ", e.msg));
  }
  // Written out, a record has at most a node per two bytes or so, and its
  // scalars are shorter than it; aliases may repeat a part a few times
  // over, not without bound.
  YamlBudget budget{16 * text.size() + 1024, 16 * text.size() + 1024};
  auto j = YamlToJson(root, 0, reader, budget);
  if (!j.ok()) return j.status();
  return reader.Record(*j);
}

}  // namespace dso
