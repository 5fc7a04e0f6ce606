// SecretMatcher: a rule set compiled for scanning. Every rule's regex goes
// into one Hyperscan database in prefilter mode (a superset of what the
// rule matches: every real match ends where Hyperscan reports an end),
// together with the rules' keywords as caseless literals. Only around the
// reported ends of rules whose keywords are present does RE2 run, on a
// window reaching back as far as the rule's matches can be long, to find
// the exact matches and their secret group. Rules Hyperscan can only run
// as automata over every byte (a branch without a literal of 3 characters)
// and whose keywords are rare go into a second database, scanned only in a
// buffer where one of their keywords is.
//
//   auto matcher = SecretMatcher::Compile(std::move(rules));
//   SecretMatcher::Scratch scratch(**matcher);     // one per thread
//   std::vector<SecretMatch> out;
//   (*matcher)->Match(text, "src/a.py", 0, text.size(), scratch, &out);
//
// A SecretMatcher is immutable and safe to share between threads; a
// Scratch belongs to one thread at a time.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_MATCHER_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_MATCHER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/scan/secrets/internal/lazy_prefix.h"
#include "stages/scan/secrets/internal/secret_rule.h"

struct hs_database;
struct hs_scratch;

namespace dso {

// A rule's match in a buffer, before allowlists and suppressions.
struct SecretMatch {
  size_t rule = 0;   // index into rules().rules
  size_t start = 0;  // the match, as offsets into the buffer
  size_t end = 0;
  std::string secret;  // the secret group (or the whole match)
  double entropy = 0;
};

// Shannon entropy of `s` in bits per byte.
double ShannonEntropy(absl::string_view s);

// The entropy a secret must exceed under a rule's threshold, by its
// characters: a random hex string cannot reach what a random base64 one
// does (16 symbols, at most 4 bits each; 32 random hex digits average
// 3.6), so a value of 16 or more hex digits (letters and digits both)
// needs only min(threshold, 3.0), which nine in ten random ones of 16
// digits and all of 24 or more exceed.
double EntropyThreshold(absl::string_view secret, double rule_threshold);

class SecretMatcher {
 public:
  class Scratch {
   public:
    explicit Scratch(const SecretMatcher& matcher);
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

   private:
    friend class SecretMatcher;
    hs_scratch* hs_ = nullptr;
    uint32_t generation_ = 0;
    std::vector<uint32_t> rule_seen_;  // == generation_: reported this scan
    // Per rule: runs of nearby reported ends, as [first, last] offsets.
    std::vector<std::vector<std::pair<size_t, size_t>>> ends_;
    std::vector<size_t> hit_rules_;  // rules reported this scan, in order
    std::vector<uint32_t> keyword_seen_;
  };

  // Rules whose regex Hyperscan cannot take are still run (with RE2 on
  // every buffer their keywords allow); `notes` says which and why. With a
  // `cache_dir`, the compiled database is reused from there or stored
  // there (hyperscan_cache.h).
  static absl::StatusOr<std::unique_ptr<SecretMatcher>> Compile(
      SecretRuleSet rules, std::vector<std::string>* notes = nullptr,
      const std::string& cache_dir = "");
  ~SecretMatcher();

  const SecretRuleSet& rules() const { return rules_; }
  // Rules without a regex: they match a file by its path alone.
  const std::vector<size_t>& path_only_rules() const { return path_only_; }
  // Rules in the second database (see above).
  const std::vector<size_t>& gated_rules() const { return gated_rules_; }

  // Appends the matches in `text` that start in [report_from, report_to);
  // `path` selects the rules whose `path` applies. Matches are looked for
  // in all of `text`, so a match that straddles report_to is found whole.
  void Match(absl::string_view text, absl::string_view path, size_t report_from,
             size_t report_to, Scratch& scratch,
             std::vector<SecretMatch>* out) const;

 private:
  SecretMatcher() = default;
  // Hyperscan's match callback.
  static int OnMatch(unsigned int id, unsigned long long from,
                     unsigned long long to, unsigned int flags, void* context);
  // Finds rule `rule`'s matches starting in [from, to) of `text`.
  void Confirm(absl::string_view text, size_t rule, size_t from, size_t to,
               size_t report_from, size_t report_to,
               std::vector<SecretMatch>* out) const;

  SecretRuleSet rules_;
  hs_database* db_ = nullptr;
  // Rules Hyperscan is slow on and whose keywords are rare, scanned for only
  // when gated_keywords_ (theirs) are in the buffer (GatedRules()).
  hs_database* gated_db_ = nullptr;
  std::vector<uint32_t> gated_keywords_;
  std::vector<size_t> gated_rules_;
  std::vector<std::string> keywords_;
  // Per rule: indexes into keywords_ (empty: the rule has none).
  std::vector<std::vector<uint32_t>> rule_keywords_;
  std::vector<size_t> lookback_;  // per rule: its longest expected match
  // Per rule, made on its first confirmation: its regex compiled and, if
  // it has that shape, split for a faster search (lazy_prefix.h).
  struct Confirmer {
    absl::once_flag once;
    std::optional<LazyPrefix> split;
  };
  std::unique_ptr<Confirmer[]> confirmers_;
  std::vector<size_t> unfiltered_;  // regex rules Hyperscan could not take
  std::vector<size_t> path_only_;
};

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_SECRET_MATCHER_H_
