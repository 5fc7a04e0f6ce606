#include "stages/scan/secrets/internal/secret_matcher.h"

#include <hs/hs.h>

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "stages/scan/secrets/internal/gated_rules.h"
#include "stages/scan/secrets/internal/go_regex.h"
#include "stages/scan/secrets/hyperscan_cache.h"
#include "stages/scan/secrets/internal/text_lines.h"

namespace dso {
namespace {

// How far before a reported end RE2 starts looking: the longest match a
// rule can have. Rules that can span lines (PEM keys, multi-line configs)
// get a long reach, single-line rules a short one.
constexpr size_t kLongLookBack = 64 << 10;
constexpr size_t kShortLookBack = 1 << 10;
// Reported ends closer than this share one RE2 window.
constexpr size_t kMergeGap = 256;
// A rule reported at more places than this in one buffer is confirmed in
// one pass over the buffer instead.
constexpr size_t kMaxRuns = 4096;

// Where RE2 starts looking for a match that ends at or after `end`: the
// rule's reach back, but at least the start of the line (a long value on
// one line), within the long reach. The line is that of the match's last
// byte: a match may end with the newline it consumed (a JWT's `[^...]`
// after its signature), and the next line's start would cut a long value
// on its own line short.
size_t WindowStart(absl::string_view text, size_t end, size_t lookback) {
  size_t floor = end > kLongLookBack ? end - kLongLookBack : 0;
  size_t line = LineStart(text, end > 0 ? end - 1 : 0);
  size_t reach = end > lookback ? end - lookback : 0;
  return std::min(reach, std::max(line, floor));
}

// Where RE2 stops: through the end of the line (and its newline) holding
// the last reported end. Hyperscan reports some ends earlier than RE2
// matches them (its `$` also matches before a final newline), so the window
// reaches a little past them.
size_t WindowEnd(absl::string_view text, size_t last) {
  size_t cap = std::min(text.size(), last + kShortLookBack);
  size_t nl = text.find('\n', last);
  return nl == absl::string_view::npos ? cap : std::min(cap, nl + 1);
}

bool SpansLines(absl::string_view regex) {
  for (absl::string_view s :
       {"\\s\\S", "\\S\\s", "(?s", "\\n", "[\\s\\S", "(?m", "\\r"}) {
    if (regex.find(s) != absl::string_view::npos) return true;
  }
  return false;
}

std::string HexEscaped(absl::string_view literal) {
  std::string out;
  for (unsigned char c : literal) absl::StrAppendFormat(&out, "\\x%02x", c);
  return out;
}

struct ScanState {
  uint32_t generation;
  size_t rules;
  SecretMatcher::Scratch* scratch;
};

}  // namespace

// Records one reported end; friends with Scratch through SecretMatcher.
int SecretMatcher::OnMatch(unsigned int id, unsigned long long,
                           unsigned long long to, unsigned int, void* context) {
  auto* s = static_cast<ScanState*>(context);
  Scratch& sc = *s->scratch;
  if (id >= s->rules) {
    sc.keyword_seen_[id - s->rules] = s->generation;
    return 0;
  }
  auto& runs = sc.ends_[id];
  if (sc.rule_seen_[id] != s->generation) {
    sc.rule_seen_[id] = s->generation;
    sc.hit_rules_.push_back(id);
    runs.clear();
  }
  if (!runs.empty() && to <= runs.back().second + kMergeGap) {
    runs.back().second = to;
  } else if (runs.size() <= kMaxRuns) {
    runs.emplace_back(to, to);
  }
  return 0;
}

double ShannonEntropy(absl::string_view s) {
  if (s.empty()) return 0;
  size_t counts[256] = {0};
  for (unsigned char c : s) ++counts[c];
  double inv = 1.0 / static_cast<double>(s.size()), h = 0;
  for (size_t n : counts) {
    if (n == 0) continue;
    double p = static_cast<double>(n) * inv;
    h -= p * std::log2(p);
  }
  return h;
}

double EntropyThreshold(absl::string_view secret, double rule_threshold) {
  constexpr double kHexThreshold = 3.0;
  if (secret.size() < 16 || rule_threshold <= kHexThreshold) {
    return rule_threshold;
  }
  bool lower = false, upper = false, digit = false;
  for (char c : secret) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c >= 'a' && c <= 'f') {
      lower = true;
    } else if (c >= 'A' && c <= 'F') {
      upper = true;
    } else {
      return rule_threshold;  // not hex
    }
  }
  return digit && (lower != upper) ? kHexThreshold : rule_threshold;
}

namespace {

// Compiles the patterns; one Hyperscan refuses leaves the database (its
// rule is then run by RE2 alone) and the rest are compiled again.
absl::StatusOr<CompiledPatterns> CompilePatterns(
    const std::vector<SecretRule>& list, std::vector<std::string> patterns,
    std::vector<unsigned> flags, std::vector<unsigned> ids) {
  CompiledPatterns out;
  while (!patterns.empty()) {
    std::vector<const char*> ptrs;
    for (const auto& p : patterns) ptrs.push_back(p.c_str());
    hs_compile_error_t* err = nullptr;
    hs_error_t rc = hs_compile_multi(ptrs.data(), flags.data(), ids.data(),
                                     static_cast<unsigned>(ptrs.size()),
                                     HS_MODE_BLOCK, nullptr, &out.db, &err);
    if (rc == HS_SUCCESS) break;
    int bad = err ? err->expression : -1;
    std::string why = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    if (bad < 0 || ids[bad] >= list.size()) {
      return absl::InternalError(
          absl::StrCat("the secret rules do not compile for Hyperscan: ", why));
    }
    out.refused.emplace_back(ids[bad], why);
    patterns.erase(patterns.begin() + bad);
    flags.erase(flags.begin() + bad);
    ids.erase(ids.begin() + bad);
  }
  return out;
}

struct Patterns {
  std::vector<std::string> patterns;
  std::vector<unsigned> flags, ids;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SecretMatcher>> SecretMatcher::Compile(
    SecretRuleSet rules, std::vector<std::string>* notes,
    const std::string& cache_dir) {
  std::unique_ptr<SecretMatcher> m(new SecretMatcher());
  m->rules_ = std::move(rules);
  const auto& list = m->rules_.rules;
  absl::flat_hash_map<std::string, uint32_t> keyword_ids;
  m->rule_keywords_.resize(list.size());
  m->lookback_.resize(list.size());
  m->confirmers_ = std::make_unique<Confirmer[]>(list.size());
  for (size_t r = 0; r < list.size(); ++r) {
    m->lookback_[r] =
        SpansLines(list[r].regex_source) ? kLongLookBack : kShortLookBack;
  }
  for (size_t r = 0; r < list.size(); ++r) {
    if (!list[r].regex) {
      m->path_only_.push_back(r);
      continue;
    }
    for (const auto& k : list[r].keywords) {
      auto [it, added] = keyword_ids.try_emplace(k, m->keywords_.size());
      if (added) m->keywords_.push_back(k);
      m->rule_keywords_[r].push_back(it->second);
    }
  }
  // Patterns: the regex rules, then the keywords; gated rules apart.
  std::vector<bool> gated = GatedRules(list, cache_dir);
  Patterns main, apart;
  for (size_t r = 0; r < list.size(); ++r) {
    if (!list[r].regex) continue;
    Patterns& p = gated[r] ? apart : main;
    p.patterns.push_back(GoRegexToHyperscan(list[r].regex_source));
    p.flags.push_back(HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY);
    p.ids.push_back(static_cast<unsigned>(r));
    if (gated[r]) {
      m->gated_rules_.push_back(r);
      for (uint32_t k : m->rule_keywords_[r]) m->gated_keywords_.push_back(k);
    }
  }
  for (size_t k = 0; k < m->keywords_.size(); ++k) {
    main.patterns.push_back(HexEscaped(m->keywords_[k]));
    main.flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
    main.ids.push_back(static_cast<unsigned>(list.size() + k));
  }
  for (auto [p, db] : {std::pair{&main, &m->db_}, {&apart, &m->gated_db_}}) {
    if (p->patterns.empty()) continue;
    const std::string key = HyperscanCacheKey(p->patterns, p->flags, p->ids);
    std::optional<CompiledPatterns> compiled =
        LoadCompiledPatterns(cache_dir, key);
    if (!compiled) {
      auto fresh = CompilePatterns(list, p->patterns, p->flags, p->ids);
      if (!fresh.ok()) return fresh.status();
      compiled = *std::move(fresh);
      StoreCompiledPatterns(cache_dir, key, *compiled);
    }
    *db = compiled->db;
    for (const auto& [r, why] : compiled->refused) {
      m->unfiltered_.push_back(r);
      if (notes) {
        notes->push_back(absl::StrCat(
            "rule '", list[r].id, "': Hyperscan cannot prefilter its regex (",
            why, "); it runs with RE2 on every file instead (slower)"));
      }
    }
  }
  return m;
}

SecretMatcher::~SecretMatcher() {
  if (db_) hs_free_database(db_);
  if (gated_db_) hs_free_database(gated_db_);
}

SecretMatcher::Scratch::Scratch(const SecretMatcher& matcher)
    : rule_seen_(matcher.rules_.rules.size(), 0),
      ends_(matcher.rules_.rules.size()),
      keyword_seen_(matcher.keywords_.size(), 0) {
  // One scratch serves both databases (it grows to fit each).
  if ((matcher.db_ && hs_alloc_scratch(matcher.db_, &hs_) != HS_SUCCESS) ||
      (matcher.gated_db_ &&
       hs_alloc_scratch(matcher.gated_db_, &hs_) != HS_SUCCESS)) {
    // Only memory exhaustion gets here; there is nothing to scan with.
    std::abort();
  }
}

SecretMatcher::Scratch::~Scratch() {
  if (hs_) hs_free_scratch(hs_);
}

void SecretMatcher::Match(absl::string_view text, absl::string_view path,
                          size_t report_from, size_t report_to,
                          Scratch& scratch,
                          std::vector<SecretMatch>* out) const {
  if (++scratch.generation_ == 0) {
    std::fill(scratch.rule_seen_.begin(), scratch.rule_seen_.end(), 0);
    std::fill(scratch.keyword_seen_.begin(), scratch.keyword_seen_.end(), 0);
    scratch.generation_ = 1;
  }
  const uint32_t gen = scratch.generation_;
  scratch.hit_rules_.clear();
  ScanState state{gen, rules_.rules.size(), &scratch};
  if (db_) {
    hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0,
            scratch.hs_, &SecretMatcher::OnMatch, &state);
  }
  // Whether this buffer holds one of `keywords` (the main scan found them).
  auto any_seen = [&](const std::vector<uint32_t>& keywords) {
    return std::any_of(keywords.begin(), keywords.end(), [&](uint32_t k) {
      return scratch.keyword_seen_[k] == gen;
    });
  };
  if (gated_db_ && any_seen(gated_keywords_)) {
    hs_scan(gated_db_, text.data(), static_cast<unsigned>(text.size()), 0,
            scratch.hs_, &SecretMatcher::OnMatch, &state);
  }
  auto applies = [&](size_t r) {
    const SecretRule& rule = rules_.rules[r];
    if (!rule_keywords_[r].empty() && !any_seen(rule_keywords_[r])) {
      return false;
    }
    return !rule.path ||
           RE2::PartialMatch(re2::StringPiece(path.data(), path.size()),
                             *rule.path);
  };
  for (size_t r : scratch.hit_rules_) {
    if (!applies(r)) continue;
    const auto& runs = scratch.ends_[r];
    if (runs.size() > kMaxRuns) {
      // Reported nearly everywhere: one pass is cheaper than windows.
      Confirm(text, r, WindowStart(text, runs.front().first, lookback_[r]),
              text.size(), report_from, report_to, out);
      continue;
    }
    // Windows reach back from each run's first end and end with the line
    // of its last; overlapping ones are merged so no match is seen twice.
    size_t from = 0, to = 0;
    bool open = false;
    for (const auto& [first, last] : runs) {
      size_t start = WindowStart(text, first, lookback_[r]);
      if (open && start <= to) {
        to = WindowEnd(text, last);
        continue;
      }
      if (open) Confirm(text, r, from, to, report_from, report_to, out);
      from = start;
      to = WindowEnd(text, last);
      open = true;
    }
    if (open) Confirm(text, r, from, to, report_from, report_to, out);
  }
  for (size_t r : unfiltered_) {
    if (applies(r)) {
      Confirm(text, r, 0, text.size(), report_from, report_to, out);
    }
  }
}

void SecretMatcher::Confirm(absl::string_view text, size_t r, size_t from,
                            size_t to, size_t report_from, size_t report_to,
                            std::vector<SecretMatch>* out) const {
  const SecretRule& rule = rules_.rules[r];
  Confirmer& confirmer = confirmers_[r];
  const RE2& whole = rule.regex->Compiled();
  if (!whole.ok()) return;  // RE2 would not compile it: matches nothing
  absl::call_once(confirmer.once,
                  [&] { confirmer.split = SplitLazyPrefix(whole); });
  const std::optional<LazyPrefix>& split = confirmer.split;
  const RE2& re = split ? *split->rest : whole;
  const int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(n);
  const re2::StringPiece sp(text.data(), text.size());
  size_t pos = from;
  // RE2 sees the whole text as context (for ^, $ and \b) but searches
  // only [from, to).
  while (pos <= to &&
         (split ? split->FindRest(sp, pos, to, groups.data(), n)
                : re.Match(sp, pos, to, RE2::UNANCHORED, groups.data(), n))) {
    size_t start = groups[0].data() - text.data();
    size_t end = start + groups[0].size();
    if (split) start = split->ExtendStart(text, pos, start);
    pos = end > start ? end : end + 1;
    // Newlines the regex swallowed at either edge are not part of it.
    while (start < end && text[start] == '\n') ++start;
    while (end > start && text[end - 1] == '\n') --end;
    if (start >= report_to) break;
    if (start < report_from) continue;
    SecretMatch m;
    m.rule = r;
    m.start = start;
    m.end = end;
    absl::string_view secret = text.substr(start, end - start);
    if (n >= 2) {
      if (rule.secret_group > 0) {
        const auto& g = groups[rule.secret_group];
        secret = absl::string_view(g.data() ? g.data() : "", g.size());
      } else {
        for (int i = 1; i < n; ++i) {
          if (!groups[i].empty()) {
            secret = absl::string_view(groups[i].data(), groups[i].size());
            break;
          }
        }
      }
    }
    m.secret = std::string(secret);
    m.entropy = ShannonEntropy(m.secret);
    if (rule.entropy > 0 &&
        m.entropy <= EntropyThreshold(m.secret, rule.entropy)) {
      continue;
    }
    out->push_back(std::move(m));
  }
}

}  // namespace dso
