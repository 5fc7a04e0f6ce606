#include "stages/scan/secrets/internal/rule_regex.h"

#include "absl/status/status.h"
#include "re2/set.h"
#include "stages/scan/secrets/internal/regex_cache.h"

namespace dso {
namespace {

// The capturing groups of a pattern RE2 has parsed: every '(' outside a
// character class and not escaped, but "(?" ones other than named groups,
// "(?P<name>" and "(?<name>".
int CountCaptures(const std::string& p) {
  int count = 0;
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;  // the escaped character, whatever it is
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      // A ']' first in the class (after an optional '^') is a member.
      if (i + 1 < p.size() && p[i + 1] == '^') ++i;
      if (i + 1 < p.size() && p[i + 1] == ']') ++i;
      continue;
    }
    if (c != '(') continue;
    if (i + 1 < p.size() && p[i + 1] == '?') {
      bool named = p.compare(i + 2, 2, "P<") == 0 ||
                   (i + 2 < p.size() && p[i + 2] == '<');
      count += named;
    } else {
      ++count;
    }
  }
  return count;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RuleRegex>> RuleRegex::Parse(
    std::string pattern, const RE2::Options& options) {
  // A set parses what it is given and compiles nothing until asked to.
  RE2::Set check(options, RE2::UNANCHORED);
  std::string error;
  if (check.Add(pattern, &error) < 0) {
    return absl::InvalidArgumentError(error);
  }
  int captures = CountCaptures(pattern);
  return std::make_shared<const RuleRegex>(std::move(pattern), options,
                                           captures);
}

bool RuleRegex::Refused() const { return refused_.load(); }

const RE2& RuleRegex::Compiled() const {
  absl::call_once(once_, [this] {
    compiled_ = SharedRegex(pattern_, options_);
    refused_.store(!compiled_->ok());
  });
  return *compiled_;
}

}  // namespace dso
