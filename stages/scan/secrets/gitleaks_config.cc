#include "stages/scan/secrets/gitleaks_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/finding.h"
#include "stages/core/status_macros.h"
#include "stages/core/toml_guard.h"
#include "stages/scan/secrets/internal/go_regex.h"
#include "stages/scan/secrets/internal/regex_cache.h"

namespace dso {

extern const char kDefaultSecretRulesToml[];  // default_rules.cc (generated)

RE2::Options GoRegexOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  return o;
}

namespace {

std::shared_ptr<const RE2::Set> MakeSet(
    const std::vector<std::shared_ptr<const RE2>>& regexes) {
  if (regexes.size() < 2) return nullptr;
  auto set = std::make_shared<RE2::Set>(GoRegexOptions(), RE2::UNANCHORED);
  for (const auto& re : regexes) {
    if (set->Add(re->pattern(), nullptr) < 0) return nullptr;
  }
  if (!set->Compile()) return nullptr;
  return set;
}

}  // namespace

void BuildAllowlistSets(SecretAllowlist& list) {
  list.path_set = MakeSet(list.paths);
  list.regex_set = MakeSet(list.regexes);
}

namespace {

constexpr int kMaxExtendDepth = 2;

// Where a value sits, for messages: "gitleaks.toml:12: rule 'aws': ".
class Where {
 public:
  Where(const std::string& source, std::string rule = "")
      : source_(source), rule_(std::move(rule)) {}
  Where Rule(const std::string& id) const { return Where(source_, id); }
  absl::Status Error(const toml::node& node, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        source_, ":", node.source().begin.line, ": ",
        rule_.empty() ? "" : absl::StrCat("rule '", rule_, "': "), what));
  }

 private:
  const std::string& source_;
  std::string rule_;
};

absl::Status CheckKeys(const toml::table& t, const Where& where,
                       std::initializer_list<absl::string_view> known,
                       absl::string_view section) {
  for (auto&& [k, value] : t) {
    absl::string_view key(k.str().data(), k.str().size());
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return where.Error(
          value, absl::StrCat("unknown key '", key, "' in ", section,
                              " (known: ", absl::StrJoin(known, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> String(const toml::node& node, const Where& where,
                                   absl::string_view key) {
  auto v = node.value<std::string>();
  if (!v || !node.is_string()) {
    return where.Error(node, absl::StrCat("'", key, "' must be a string"));
  }
  return *v;
}

absl::StatusOr<std::vector<std::string>> Strings(const toml::node& node,
                                                 const Where& where,
                                                 absl::string_view key) {
  const toml::array* a = node.as_array();
  if (!a) {
    return where.Error(node,
                       absl::StrCat("'", key, "' must be an array of strings"));
  }
  std::vector<std::string> out;
  for (const toml::node& item : *a) {
    ASSIGN_OR_RETURN(std::string s, String(item, where, key));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const RE2>> Regex(const toml::node& node,
                                                 const Where& where,
                                                 absl::string_view key) {
  ASSIGN_OR_RETURN(std::string source, String(node, where, key));
  auto re = SharedRegex(GoRegexToRe2(source), GoRegexOptions());
  if (!re->ok()) {
    return where.Error(node, absl::StrCat("'", key, "' does not compile (",
                                          re->error(), "): ", source));
  }
  return re;
}

// A rule's own regex: parsed now, compiled when a scan needs it
// (rule_regex.h).
absl::StatusOr<std::shared_ptr<const RuleRegex>> RuleRegexOf(
    const std::string& source, const toml::node& node, const Where& where) {
  auto re = RuleRegex::Parse(GoRegexToRe2(source), GoRegexOptions());
  if (!re.ok()) {
    return where.Error(
        node, absl::StrCat("'regex' does not compile (", re.status().message(),
                           "): ", source));
  }
  return re;
}

absl::StatusOr<std::vector<std::shared_ptr<const RE2>>> Regexes(
    const toml::node& node, const Where& where, absl::string_view key) {
  if (!node.as_array()) {
    return where.Error(node,
                       absl::StrCat("'", key, "' must be an array of regexes"));
  }
  std::vector<std::shared_ptr<const RE2>> out;
  for (const toml::node& item : *node.as_array()) {
    ASSIGN_OR_RETURN(auto re, Regex(item, where, key));
    out.push_back(std::move(re));
  }
  return out;
}

std::string Lower(std::string s) {
  absl::AsciiStrToLower(&s);
  return s;
}

absl::StatusOr<SecretAllowlist> ParseAllowlist(const toml::node& node,
                                               const Where& where,
                                               bool global) {
  const toml::table* t = node.as_table();
  if (!t) return where.Error(node, "an allowlist must be a table");
  if (global) {
    RETURN_IF_ERROR(
        CheckKeys(*t, where,
                  {"description", "condition", "commits", "paths", "regexes",
                   "regexTarget", "stopwords", "targetRules"},
                  "an allowlist"));
  } else {
    RETURN_IF_ERROR(CheckKeys(*t, where,
                              {"description", "condition", "commits", "paths",
                               "regexes", "regexTarget", "stopwords"},
                              "a rule's allowlist"));
  }
  SecretAllowlist a;
  for (auto&& [k, v] : *t) {
    std::string key(k.str());
    if (key == "description") {
      ASSIGN_OR_RETURN(a.description, String(v, where, key));
    } else if (key == "condition") {
      ASSIGN_OR_RETURN(std::string c, String(v, where, key));
      c = absl::AsciiStrToUpper(c);
      if (c != "AND" && c != "OR" && c != "&&" && c != "||") {
        return where.Error(
            v, absl::StrCat("condition '", c, "' is neither AND nor OR"));
      }
      a.match_all = c == "AND" || c == "&&";
    } else if (key == "commits") {
      ASSIGN_OR_RETURN(a.commits, Strings(v, where, key));
    } else if (key == "paths") {
      ASSIGN_OR_RETURN(a.paths, Regexes(v, where, key));
    } else if (key == "regexes") {
      ASSIGN_OR_RETURN(a.regexes, Regexes(v, where, key));
    } else if (key == "regexTarget") {
      ASSIGN_OR_RETURN(std::string target, String(v, where, key));
      if (target == "secret" || target.empty()) {
        a.regex_target = RegexTarget::kSecret;
      } else if (target == "match") {
        a.regex_target = RegexTarget::kMatch;
      } else if (target == "line") {
        a.regex_target = RegexTarget::kLine;
      } else {
        return where.Error(v, absl::StrCat("regexTarget '", target,
                                           "' is not secret, match or line"));
      }
    } else if (key == "stopwords") {
      ASSIGN_OR_RETURN(a.stopwords, Strings(v, where, key));
      for (auto& w : a.stopwords) w = Lower(w);
    } else if (key == "targetRules") {
      ASSIGN_OR_RETURN(a.target_rules, Strings(v, where, key));
    }
  }
  if (a.empty()) {
    return where.Error(node,
                       "allowlist sets none of commits, paths, regexes, "
                       "stopwords");
  }
  BuildAllowlistSets(a);
  return a;
}

absl::StatusOr<SecretRule> ParseRule(const toml::node& node,
                                     const Where& file_where) {
  const toml::table* t = node.as_table();
  if (!t) return file_where.Error(node, "[[rules]] entries must be tables");
  SecretRule rule;
  rule.severity = dso::v1::SEVERITY_UNSPECIFIED;  // HIGH unless set
  if (auto id = (*t)["id"].value<std::string>()) rule.id = *id;
  if (rule.id.empty()) {
    return file_where.Error(node, "a rule has no 'id'");
  }
  Where where = file_where.Rule(rule.id);
  RETURN_IF_ERROR(CheckKeys(
      *t, where,
      {"id", "description", "regex", "secretGroup", "entropy", "keywords",
       "path", "tags", "allowlist", "allowlists", "severity"},
      "[[rules]]"));
  for (auto&& [k, v] : *t) {
    std::string key(k.str());
    if (key == "description") {
      ASSIGN_OR_RETURN(rule.description, String(v, where, key));
    } else if (key == "regex") {
      ASSIGN_OR_RETURN(rule.regex_source, String(v, where, key));
      ASSIGN_OR_RETURN(rule.regex, RuleRegexOf(rule.regex_source, v, where));
    } else if (key == "secretGroup") {
      auto g = v.value<int64_t>();
      if (!g || !v.is_integer() || *g < 0) {
        return where.Error(v, "'secretGroup' must be a whole number >= 0");
      }
      rule.secret_group = static_cast<int>(*g);
    } else if (key == "entropy") {
      auto e = v.value<double>();
      if (!e || !(v.is_number()) || *e < 0 || *e > 8) {
        return where.Error(v, "'entropy' must be a number from 0 to 8");
      }
      rule.entropy = *e;
    } else if (key == "keywords") {
      ASSIGN_OR_RETURN(rule.keywords, Strings(v, where, key));
      for (auto& w : rule.keywords) w = Lower(w);
    } else if (key == "path") {
      ASSIGN_OR_RETURN(rule.path, Regex(v, where, key));
    } else if (key == "tags") {
      ASSIGN_OR_RETURN(rule.tags, Strings(v, where, key));
    } else if (key == "severity") {
      ASSIGN_OR_RETURN(std::string s, String(v, where, key));
      auto sev = ParseSeverity(s);
      if (!sev.ok()) return where.Error(v, sev.status().message());
      rule.severity = *sev;
    } else if (key == "allowlist") {
      ASSIGN_OR_RETURN(auto a, ParseAllowlist(v, where, false));
      rule.allowlists.push_back(std::move(a));
    } else if (key == "allowlists") {
      if (!v.as_array()) {
        return where.Error(v, "'allowlists' must be an array of tables");
      }
      for (const toml::node& item : *v.as_array()) {
        ASSIGN_OR_RETURN(auto a, ParseAllowlist(item, where, false));
        rule.allowlists.push_back(std::move(a));
      }
    }
  }
  return rule;
}

// What a rule needs once any base it extends is folded in.
absl::Status CheckRule(const SecretRule& rule, const Where& where,
                       const toml::node& node) {
  if (!rule.regex && !rule.path) {
    return where.Error(node, "a rule needs a 'regex', a 'path' or both");
  }
  if (rule.regex && rule.secret_group > rule.regex->NumberOfCapturingGroups()) {
    return where.Error(node, absl::StrCat("secretGroup ", rule.secret_group,
                                          " but the regex "
                                          "has only ",
                                          rule.regex->NumberOfCapturingGroups(),
                                          " capture group(s)"));
  }
  return absl::OkStatus();
}

// Folds `over` into `base` the way gitleaks extends a config: fields set
// in `over` replace the base's, lists are appended.
void MergeRule(const SecretRule& over, SecretRule& base) {
  if (!over.description.empty()) base.description = over.description;
  if (over.regex) {
    base.regex = over.regex;
    base.regex_source = over.regex_source;
  }
  if (over.secret_group) base.secret_group = over.secret_group;
  if (over.entropy) base.entropy = over.entropy;
  if (over.path) base.path = over.path;
  if (over.severity != dso::v1::SEVERITY_UNSPECIFIED) {
    base.severity = over.severity;
  }
  base.keywords.insert(base.keywords.end(), over.keywords.begin(),
                       over.keywords.end());
  base.tags.insert(base.tags.end(), over.tags.begin(), over.tags.end());
  base.allowlists.insert(base.allowlists.end(), over.allowlists.begin(),
                         over.allowlists.end());
}

// Where an [extend] path is looked for: `dir` (relative paths join it);
// with a `root`, `dir` is relative to it and every path must stay beneath
// it, resolved by the kernel (bounded_file.h).
struct ExtendBase {
  std::string root, dir;
  bool* read_a_file = nullptr;  // set when an [extend] path is read
};

absl::StatusOr<SecretRuleSet> Parse(absl::string_view text,
                                    const std::string& source,
                                    const ExtendBase& base, int depth);

absl::StatusOr<SecretRuleSet> Extend(const toml::node& node, const Where& where,
                                     const ExtendBase& base, int depth,
                                     std::vector<std::string>* disabled) {
  const toml::table* t = node.as_table();
  if (!t) return where.Error(node, "[extend] must be a table");
  RETURN_IF_ERROR(CheckKeys(*t, where, {"useDefault", "path", "disabledRules"},
                            "[extend]"));
  if (const toml::node* d = t->get("disabledRules")) {
    ASSIGN_OR_RETURN(*disabled, Strings(*d, where, "disabledRules"));
  }
  bool use_default = false;
  if (const toml::node* u = t->get("useDefault")) {
    if (!u->is_boolean())
      return where.Error(*u, "'useDefault' must be true or false");
    use_default = *u->value<bool>();
  }
  const toml::node* p = t->get("path");
  if (use_default && p) {
    return where.Error(node,
                       "[extend] sets both useDefault and path; choose one");
  }
  if (depth >= kMaxExtendDepth && (use_default || p)) {
    return where.Error(node, absl::StrCat("[extend] nests deeper than ",
                                          kMaxExtendDepth, " levels"));
  }
  if (use_default) {
    return Parse(kDefaultSecretRulesToml, "dso default rules", {}, depth + 1);
  }
  if (!p) return SecretRuleSet{};
  ASSIGN_OR_RETURN(std::string path, String(*p, where, "path"));
  if (!base.root.empty() && (path.empty() || path[0] == '/')) {
    return where.Error(*p,
                       "[extend] path must be relative to the scanned "
                       "directory and lie beneath it");
  }
  if (!path.empty() && path[0] != '/' && !base.dir.empty()) {
    path = absl::StrCat(base.dir, "/", path);
  }
  if (base.read_a_file) *base.read_a_file = true;
  auto text = base.root.empty()
                  ? ReadFile(path, FileKind::kConfig)
                  : ReadFileBeneath(base.root, path, FileKind::kConfig);
  if (!text.ok()) {
    return where.Error(
        *p, absl::StrCat("[extend] path: ", text.status().message()));
  }
  return Parse(*text, path,
               {base.root, std::filesystem::path(path).parent_path().string(),
                base.read_a_file},
               depth + 1);
}

absl::StatusOr<SecretRuleSet> Parse(absl::string_view text,
                                    const std::string& source,
                                    const ExtendBase& base, int depth) {
  absl::StatusOr<std::string> safe = TomlForParser(text, source);
  if (!safe.ok()) return safe.status();
  toml::table doc;
  try {
    doc = toml::parse(std::string_view(*safe), source);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", e.source().begin.line, ":", e.source().begin.column,
        ": not valid TOML: ", std::string(e.description())));
  }
  Where where(source);
  RETURN_IF_ERROR(CheckKeys(doc, where,
                            {"title", "description", "minVersion", "extend",
                             "allowlist", "allowlists", "rules"},
                            "the config"));
  SecretRuleSet set;
  std::vector<std::string> disabled;
  if (const toml::node* e = doc.get("extend")) {
    ASSIGN_OR_RETURN(set, Extend(*e, where, base, depth, &disabled));
  }
  if (auto title = doc["title"].value<std::string>()) set.title = *title;
  // The base's rules minus the disabled ones, then ours over them.
  absl::flat_hash_set<std::string> off(disabled.begin(), disabled.end());
  std::erase_if(set.rules,
                [&](const SecretRule& r) { return off.contains(r.id); });
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < set.rules.size(); ++i) index[set.rules[i].id] = i;
  absl::flat_hash_set<std::string> seen;
  if (const toml::node* rules = doc.get("rules")) {
    if (!rules->as_array()) {
      return where.Error(*rules, "'rules' must be an array of tables");
    }
    for (const toml::node& r : *rules->as_array()) {
      ASSIGN_OR_RETURN(SecretRule rule, ParseRule(r, where));
      if (!seen.insert(rule.id).second) {
        return where.Rule(rule.id).Error(r, "the rule id appears twice");
      }
      auto it = index.find(rule.id);
      SecretRule* merged;
      if (it != index.end()) {
        merged = &set.rules[it->second];
        MergeRule(rule, *merged);
      } else {
        index[rule.id] = set.rules.size();
        merged = &set.rules.emplace_back(std::move(rule));
      }
      RETURN_IF_ERROR(CheckRule(*merged, where.Rule(merged->id), r));
    }
  }
  std::vector<SecretAllowlist> globals;
  if (const toml::node* a = doc.get("allowlist")) {
    ASSIGN_OR_RETURN(auto list, ParseAllowlist(*a, where, true));
    globals.push_back(std::move(list));
  }
  if (const toml::node* a = doc.get("allowlists")) {
    if (!a->as_array()) {
      return where.Error(*a, "'allowlists' must be an array of tables");
    }
    for (const toml::node& item : *a->as_array()) {
      ASSIGN_OR_RETURN(auto list, ParseAllowlist(item, where, true));
      globals.push_back(std::move(list));
    }
  }
  for (auto& rule : set.rules) {
    if (rule.severity == dso::v1::SEVERITY_UNSPECIFIED) {
      rule.severity = dso::v1::HIGH;
    }
  }
  // A global allowlist aimed at some rules becomes theirs.
  for (auto& list : globals) {
    if (list.target_rules.empty()) {
      set.allowlists.push_back(std::move(list));
      continue;
    }
    for (const auto& id : list.target_rules) {
      auto it = index.find(id);
      if (it == index.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": an allowlist targets rule '", id,
                         "', which the config does not define"));
      }
      set.rules[it->second].allowlists.push_back(list);
    }
  }
  return set;
}

// A config CheckGitleaksConfig parsed, kept for the next parse of the
// same text and name in this process.
struct KeptConfig {
  std::string toml, source;
  SecretRuleSet rules;
};
absl::Mutex kept_mu(absl::kConstInit);
KeptConfig* kept ABSL_GUARDED_BY(kept_mu) = nullptr;

std::optional<SecretRuleSet> TakeKept(absl::string_view toml,
                                      const std::string& source) {
  absl::MutexLock lock(&kept_mu);
  if (!kept || kept->toml != toml || kept->source != source) {
    return std::nullopt;
  }
  std::optional<SecretRuleSet> out(std::move(kept->rules));
  delete kept;
  kept = nullptr;
  return out;
}

absl::StatusOr<SecretRuleSet> ParseConfig(absl::string_view toml,
                                          const std::string& source,
                                          const std::string& base_dir,
                                          ExtendPaths extend,
                                          bool* read_a_file) {
  ExtendBase base = extend == ExtendPaths::kBeneathBaseDir
                        ? ExtendBase{base_dir.empty() ? "." : base_dir, ""}
                        : ExtendBase{"", base_dir};
  base.read_a_file = read_a_file;
  ASSIGN_OR_RETURN(SecretRuleSet set, Parse(toml, source, base, 0));
  if (set.rules.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source,
        ": defines no rules (add [[rules]], or [extend] useDefault = "
        "true to build on dso's)"));
  }
  return set;
}

}  // namespace

absl::StatusOr<SecretRuleSet> ParseGitleaksConfig(absl::string_view toml,
                                                  const std::string& source,
                                                  const std::string& base_dir,
                                                  ExtendPaths extend) {
  if (auto rules = TakeKept(toml, source)) return *std::move(rules);
  return ParseConfig(toml, source, base_dir, extend, nullptr);
}

absl::StatusOr<SecretRuleSet> CheckGitleaksConfig(absl::string_view toml,
                                                  const std::string& source,
                                                  const std::string& base_dir) {
  bool read_a_file = false;
  auto rules =
      ParseConfig(toml, source, base_dir, ExtendPaths::kAnywhere, &read_a_file);
  if (rules.ok() && !read_a_file) {
    absl::MutexLock lock(&kept_mu);
    delete kept;
    kept = new KeptConfig{std::string(toml), source, *rules};
  }
  return rules;
}

absl::StatusOr<SecretRuleSet> LoadGitleaksConfig(const std::string& path) {
  auto text = ReadFile(path, FileKind::kConfig);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "secret rules '", path, "' cannot be read: ", text.status().message()));
  }
  return ParseGitleaksConfig(
      *text, path, std::filesystem::path(path).parent_path().string());
}

absl::StatusOr<SecretRuleSet> DefaultSecretRules() {
  return Parse(kDefaultSecretRulesToml, "dso default rules", {}, 0);
}

}  // namespace dso
