#include "stages/scan/secrets/internal/lazy_prefix.h"

#include <functional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "stages/scan/secrets/internal/regex_cache.h"

namespace dso {
namespace {

constexpr size_t npos = absl::string_view::npos;

// The index just past the bracket class that opens at s[i].
size_t ClassEnd(absl::string_view s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && s[j] == '^') ++j;
  if (j < s.size() && s[j] == ']') ++j;  // a leading ']' is literal
  while (j < s.size()) {
    if (s[j] == '\\') {
      j += 2;
    } else if (absl::StartsWith(s.substr(j), "[:")) {
      size_t close = s.find(":]", j + 2);
      if (close == npos) return npos;
      j = close + 2;
    } else if (s[j] == ']') {
      return j + 1;
    } else {
      ++j;
    }
  }
  return npos;
}

// Walks `s` from s[i], stepping over escapes and bracket classes, and
// calls `at` at every other character with the group depth that character
// leaves (a '(' adds one, a ')' takes one off). Returns where `at` returned
// false, s.size() if it never did, npos at a class that does not close.
size_t Walk(absl::string_view s, size_t i,
            const std::function<bool(size_t j, int depth)>& at) {
  int depth = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '[') {
      i = ClassEnd(s, i);
      if (i == npos) return npos;
      --i;
      continue;
    }
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (!at(i, depth)) return i;
  }
  return s.size();
}

// Whether `s` has a `|` outside every group and class (or is malformed).
bool HasTopLevelAlternation(absl::string_view s) {
  return Walk(s, 0, [&](size_t j, int depth) {
           return depth >= 0 && !(s[j] == '|' && depth == 0);
         }) != s.size();
}

// The index just past the group that opens at s[i], npos if it does not
// close.
size_t GroupEnd(absl::string_view s, size_t i) {
  size_t close =
      Walk(s, i, [&](size_t j, int depth) { return depth > 0 || s[j] != ')'; });
  return close < s.size() ? close + 1 : npos;
}

// `flags` + the non-capturing group `rest` starts with, when that group is
// not repeated and cannot match the empty string.
std::shared_ptr<const RE2> LeadingGroup(absl::string_view flags,
                                        absl::string_view rest,
                                        const RE2::Options& options) {
  if (!absl::StartsWith(rest, "(?")) return nullptr;
  size_t colon = 2;
  while (colon < rest.size() &&
         (absl::ascii_isalpha(rest[colon]) || rest[colon] == '-')) {
    ++colon;
  }
  if (colon >= rest.size() || rest[colon] != ':') return nullptr;
  size_t end = GroupEnd(rest, 0);
  if (end == npos || end == rest.size() ||
      absl::string_view("*+?{").find(rest[end]) != npos) {
    return nullptr;
  }
  auto head = SharedRegex(absl::StrCat(flags, rest.substr(0, end)), options);
  if (!head->ok() || RE2::FullMatch("", *head)) return nullptr;
  return head;
}

}  // namespace

std::optional<LazyPrefix> SplitLazyPrefix(const RE2& regex) {
  absl::string_view s = regex.pattern();
  size_t i = 0;
  if (absl::StartsWith(s, "(?")) {
    size_t j = 2;
    while (j < s.size() && (absl::ascii_isalpha(s[j]) || s[j] == '-')) ++j;
    if (j >= s.size() || s[j] != ')') return std::nullopt;
    i = j + 1;
  }
  absl::string_view flags = s.substr(0, i);
  size_t class_end;
  if (i < s.size() && s[i] == '[') {
    class_end = ClassEnd(s, i);
  } else if (i + 1 < s.size() && s[i] == '\\' &&
             absl::string_view("wdsWDS").find(s[i + 1]) != npos) {
    class_end = i + 2;
  } else {
    return std::nullopt;
  }
  if (class_end == npos) return std::nullopt;
  absl::string_view klass = s.substr(i, class_end - i);
  absl::string_view after = s.substr(class_end);
  if (!absl::StartsWith(after, "{0,")) return std::nullopt;
  size_t close = after.find('}');
  LazyPrefix out;
  if (close == npos || close + 1 >= after.size() || after[close + 1] != '?' ||
      !absl::SimpleAtoi(after.substr(3, close - 3), &out.max)) {
    return std::nullopt;
  }
  absl::string_view rest = after.substr(close + 2);
  if (rest.empty() || absl::string_view("*+?{").find(rest[0]) != npos ||
      HasTopLevelAlternation(rest)) {
    return std::nullopt;
  }
  out.rest = SharedRegex(absl::StrCat(flags, rest), regex.options());
  out.klass = SharedRegex(absl::StrCat(flags, klass), regex.options());
  if (!out.rest->ok() || !out.klass->ok() ||
      out.rest->NumberOfCapturingGroups() != regex.NumberOfCapturingGroups()) {
    return std::nullopt;
  }
  out.head = LeadingGroup(flags, rest, regex.options());
  for (int b = 0; b < 128; ++b) {
    out.ascii[b] =
        RE2::FullMatch(std::string(1, static_cast<char>(b)), *out.klass);
  }
  return out;
}

bool LazyPrefix::FindRest(re2::StringPiece text, size_t from, size_t to,
                          re2::StringPiece* groups, int n) const {
  if (!head) return rest->Match(text, from, to, RE2::UNANCHORED, groups, n);
  re2::StringPiece at;
  for (size_t p = from;
       p <= to && head->Match(text, p, to, RE2::UNANCHORED, &at, 1);) {
    p = at.data() - text.data();
    if (rest->Match(text, p, to, RE2::ANCHOR_START, groups, n)) return true;
    ++p;
  }
  return false;
}

size_t LazyPrefix::ExtendStart(absl::string_view text, size_t from,
                               size_t p) const {
  for (size_t taken = 0; taken < max && p > from; ++taken) {
    auto c = static_cast<unsigned char>(text[p - 1]);
    if (c < 0x80) {
      if (!ascii[c]) break;
      --p;
      continue;
    }
    // A multi-byte character: back over its continuation bytes.
    size_t q = p - 1;
    while (q > from && p - q < 4 &&
           (static_cast<unsigned char>(text[q]) & 0xC0) == 0x80) {
      --q;
    }
    re2::StringPiece ch(text.data() + q, p - q);
    if (!RE2::FullMatch(ch, *klass)) break;
    p = q;
  }
  return p;
}

}  // namespace dso
