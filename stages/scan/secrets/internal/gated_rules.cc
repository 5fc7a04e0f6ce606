#include "stages/scan/secrets/internal/gated_rules.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "re2/filtered_re2.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/sha256.h"

namespace dso {
namespace {

constexpr int kMinLiteral = 3;
constexpr absl::string_view kMagic = "dso-gated-rules 1\n";

std::vector<bool> WorkOut(const std::vector<SecretRule>& list) {
  std::vector<bool> gated(list.size(), false);
  re2::FilteredRE2 filter(kMinLiteral);
  std::vector<size_t> added;
  for (size_t r = 0; r < list.size(); ++r) {
    const SecretRule& rule = list[r];
    if (!rule.regex || rule.keywords.empty() ||
        std::any_of(
            rule.keywords.begin(), rule.keywords.end(),
            [](const std::string& k) { return k.size() < kMinLiteral; })) {
      continue;
    }
    int index;
    if (filter.Add(rule.regex->pattern(), rule.regex->options(), &index) ==
        RE2::NoError) {
      added.push_back(r);
    }
  }
  if (added.empty()) return gated;
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  std::vector<int> unfiltered;
  filter.AllPotentials({}, &unfiltered);
  for (int i : unfiltered) gated[added[i]] = true;
  return gated;
}

std::string Key(const std::vector<SecretRule>& list) {
  std::string all = absl::StrCat("min-literal ", kMinLiteral, "\n");
  for (const SecretRule& rule : list) {
    if (!rule.regex) {
      all += "-\n";
      continue;
    }
    const RE2::Options& o = rule.regex->options();
    absl::StrAppend(&all, rule.regex->pattern().size(), ":",
                    rule.regex->pattern(), "|", o.encoding(), o.posix_syntax(),
                    o.longest_match(), o.literal(), o.never_nl(), o.dot_nl(),
                    o.never_capture(), o.case_sensitive(), o.perl_classes(),
                    o.word_boundary(), o.one_line(), "|");
    for (const std::string& k : rule.keywords) {
      absl::StrAppend(&all, k.size(), ":", k);
    }
    all += "\n";
  }
  return Sha256Digest(all).substr(7);
}

}  // namespace

std::vector<bool> GatedRules(const std::vector<SecretRule>& list,
                             const std::string& cache_dir) {
  if (cache_dir.empty()) return WorkOut(list);
  std::string path = absl::StrCat(cache_dir, "/gated-", Key(list));
  if (auto text = ReadFile(path, FileKind::kConfig);
      text.ok() && absl::StartsWith(*text, kMagic) &&
      text->size() == kMagic.size() + list.size()) {
    std::vector<bool> gated(list.size());
    bool valid = true;
    for (size_t r = 0; r < list.size(); ++r) {
      char c = (*text)[kMagic.size() + r];
      valid &= c == '0' || c == '1';
      gated[r] = c == '1';
    }
    if (valid) return gated;
  }
  std::vector<bool> gated = WorkOut(list);
  std::string text(kMagic);
  for (bool g : gated) text += g ? '1' : '0';
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  (void)WriteFileAtomically(path, text);  // best effort
  return gated;
}

}  // namespace dso
