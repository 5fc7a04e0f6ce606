#include "stages/scan/secrets/secret_filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace dso {
namespace {

bool AnyRegex(const std::shared_ptr<const RE2::Set>& set,
              const std::vector<std::shared_ptr<const RE2>>& res,
              absl::string_view text) {
  re2::StringPiece sp(text.data(), text.size());
  if (set) {
    RE2::Set::ErrorInfo error;
    if (set->Match(sp, nullptr, &error)) return true;
    // Only a DFA out of memory is not an answer: ask each regex then.
    if (error.kind != RE2::Set::kOutOfMemory) return false;
  }
  for (const auto& re : res) {
    if (RE2::PartialMatch(sp, *re)) return true;
  }
  return false;
}

bool CommitListed(const SecretAllowlist& list, absl::string_view commit) {
  return !commit.empty() && std::find(list.commits.begin(), list.commits.end(),
                                      commit) != list.commits.end();
}

bool ContainsStopword(const SecretAllowlist& list, absl::string_view secret) {
  if (list.stopwords.empty()) return false;
  std::string lower = absl::AsciiStrToLower(secret);
  for (const auto& w : list.stopwords) {
    if (absl::StrContains(lower, w)) return true;
  }
  return false;
}

absl::string_view RegexSubject(const SecretAllowlist& list,
                               const MatchContext& m) {
  switch (list.regex_target) {
    case RegexTarget::kMatch:
      return m.match;
    case RegexTarget::kLine:
      return m.line;
    case RegexTarget::kSecret:
      break;
  }
  return m.secret;
}

}  // namespace

bool Allows(const SecretAllowlist& list, const MatchContext& m) {
  if (list.match_all) {
    // Every criterion the list sets must hold.
    if (!list.commits.empty() && !CommitListed(list, m.commit)) return false;
    if (!list.paths.empty() && !AnyRegex(list.path_set, list.paths, m.path))
      return false;
    if (!list.regexes.empty() &&
        !AnyRegex(list.regex_set, list.regexes, RegexSubject(list, m))) {
      return false;
    }
    if (!list.stopwords.empty() && !ContainsStopword(list, m.secret)) {
      return false;
    }
    return !list.empty();
  }
  return CommitListed(list, m.commit) ||
         AnyRegex(list.path_set, list.paths, m.path) ||
         AnyRegex(list.regex_set, list.regexes, RegexSubject(list, m)) ||
         ContainsStopword(list, m.secret);
}

bool AnyAllows(const std::vector<SecretAllowlist>& lists,
               const MatchContext& m) {
  for (const auto& l : lists) {
    if (Allows(l, m)) return true;
  }
  return false;
}

bool ExcludesFile(const std::vector<SecretAllowlist>& lists,
                  absl::string_view path, absl::string_view commit) {
  for (const auto& l : lists) {
    if (l.match_all) {
      // Only when paths/commits are all it sets.
      if (!l.regexes.empty() || !l.stopwords.empty()) continue;
      if ((l.commits.empty() || CommitListed(l, commit)) &&
          (l.paths.empty() || AnyRegex(l.path_set, l.paths, path))) {
        return true;
      }
    } else if (CommitListed(l, commit) || AnyRegex(l.path_set, l.paths, path)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> ParseIgnoreList(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty() && line[0] != '#') out.emplace_back(line);
  }
  return out;
}

bool ExcludesCommit(const std::vector<SecretAllowlist>& lists,
                    absl::string_view commit) {
  for (const auto& l : lists) {
    bool only_commits =
        l.paths.empty() && l.regexes.empty() && l.stopwords.empty();
    if ((!l.match_all || only_commits) && CommitListed(l, commit)) return true;
  }
  return false;
}

bool HasInlineAllow(absl::string_view line) {
  return absl::StrContains(line, "gitleaks:allow") ||
         absl::StrContains(line, "dso:allow");
}

bool IsPlaceholder(absl::string_view secret) {
  if (secret.empty()) return true;
  // One character over and over: xxxxxxxx, ********, 00000000.
  if (secret.size() >= 4 &&
      std::all_of(secret.begin(), secret.end(),
                  [&](char c) { return c == secret[0]; })) {
    return true;
  }
  // Mostly one character: base64 of zeros, AAAA...AAB. (A real token's
  // most common character is a small part of it: Twitter's bearer tokens
  // start with 21 A's of 110 or so.)
  if (secret.size() >= 16) {
    size_t counts[256] = {0};
    for (unsigned char c : secret) ++counts[c];
    if (*std::max_element(counts, counts + 256) * 10 >= secret.size() * 6) {
      return true;
    }
  }
  // Template and environment references.
  static const RE2 kTemplate(
      R"(^(?:\$\{?[A-Za-z_][A-Za-z0-9_.]*\}?|\$\{\{[^}]*\}\}|\{\{[^}]*\}\}|%[A-Za-z_][A-Za-z0-9_]*%|<[^<>]*>|\[[A-Za-z_ -]+\])$)");
  re2::StringPiece sp(secret.data(), secret.size());
  if (RE2::FullMatch(sp, kTemplate)) return true;
  // Documentation examples and fill-in-here values — in a token-sized
  // value; a long one (a webhook URL, a key body) that happens to hold
  // "EXAMPLE" is judged like any other.
  if (secret.size() > 64) return false;
  static const RE2 kExample(
      R"((?i)example|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret|password)|xxxxx|changeme|redacted|dummy[_-]?(?:key|token|secret))");
  return RE2::PartialMatch(sp, kExample);
}

bool LooksLikeIdentifier(absl::string_view secret, absl::string_view match) {
  if (secret.empty()) return false;
  for (char c : secret) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return false;
  }
  // The name it is assigned to, in any case.
  size_t at = match.find(secret);
  std::string before = absl::AsciiStrToLower(
      match.substr(0, at == absl::string_view::npos ? 0 : at));
  if (absl::StrContains(before, absl::AsciiStrToLower(secret))) return true;
  // Word-like parts: split where a capital follows a lower-case letter or
  // starts a capitalised word after capitals (GMSA|Credential|Spec|Name).
  std::vector<absl::string_view> parts;
  size_t start = 0;
  for (size_t i = 1; i <= secret.size(); ++i) {
    bool cut = i == secret.size();
    if (!cut) {
      bool up = absl::ascii_isupper(secret[i]);
      bool prev_up = absl::ascii_isupper(secret[i - 1]);
      bool next_low =
          i + 1 < secret.size() && absl::ascii_islower(secret[i + 1]);
      cut = up && (!prev_up || next_low);
    }
    if (cut) {
      parts.push_back(secret.substr(start, i - start));
      start = i;
    }
  }
  size_t wordlike = 0;
  for (absl::string_view p : parts) {
    bool vowel = p.find_first_of("aeiouyAEIOUY") != absl::string_view::npos;
    if (p.size() >= 3 && vowel) ++wordlike;
  }
  // Every part a word-like one, and parts of words' length.
  return parts.size() >= 2 && wordlike == parts.size() &&
         secret.size() >= 4 * parts.size();
}

}  // namespace dso
