#include "stages/scan/secrets/internal/go_regex.h"

#include <cctype>
#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"

namespace dso {
namespace {

// Upper bounds above this become unbounded in the prefilter.
constexpr long kMaxBound = 256;

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the escape sequence starting at go[i] ('\\'), and whether it
// can match a non-ASCII character.
size_t EscapeLength(absl::string_view go, size_t i, bool* wide) {
  if (i + 1 >= go.size()) return 1;
  char c = go[i + 1];
  *wide = c == 'S' || c == 'W' || c == 'D' || c == 'p' || c == 'P' ||
          static_cast<unsigned char>(c) >= 0x80;
  if (c == 'x') {
    // \xHH or \x{H...}: a code point, wide from U+0080 on.
    size_t digits = i + 2 < go.size() && go[i + 2] == '{' ? i + 3 : i + 2;
    size_t end = go.find_first_not_of("0123456789abcdefABCDEF", digits);
    if (end == absl::string_view::npos) end = go.size();
    if (digits == i + 2) end = std::min(end, i + 4);
    std::string hex(go.substr(digits, end - digits));
    *wide = hex.empty() || std::strtol(hex.c_str(), nullptr, 16) >= 0x80;
  }
  if ((c == 'p' || c == 'P') && i + 2 < go.size() && go[i + 2] == '{') {
    size_t close = go.find('}', i + 2);
    return close == absl::string_view::npos ? go.size() - i : close - i + 1;
  }
  if (c == 'x' && i + 2 < go.size() && go[i + 2] == '{') {
    size_t close = go.find('}', i + 2);
    return close == absl::string_view::npos ? go.size() - i : close - i + 1;
  }
  if (c == 'x') return std::min<size_t>(4, go.size() - i);
  size_t n = 2;
  while (i + n < go.size() && IsContinuation(go[i + n])) ++n;
  return n;
}

// Length of the character class starting at go[i] ('['), and whether it
// can match a non-ASCII character.
size_t ClassLength(absl::string_view go, size_t i, bool* wide) {
  size_t j = i + 1;
  if (j < go.size() && go[j] == '^') {
    *wide = true;
    ++j;
  }
  if (j < go.size() && go[j] == ']') ++j;  // a literal ']' first
  while (j < go.size() && go[j] != ']') {
    if (go[j] == '[' && j + 1 < go.size() && go[j + 1] == ':') {
      size_t close = go.find(":]", j + 2);
      if (close != absl::string_view::npos) {
        j = close + 2;
        continue;
      }
    }
    if (go[j] == '\\') {
      bool w = false;
      j += EscapeLength(go, j, &w);
      *wide |= w;
      continue;
    }
    if (static_cast<unsigned char>(go[j]) >= 0x80) *wide = true;
    ++j;
  }
  return std::min(go.size(), j + 1) - i;
}

// Parses "{n}", "{n,}" or "{n,m}" at go[i]; false when it is a literal '{'.
bool ParseRepeat(absl::string_view go, size_t i, size_t* len, long* lo,
                 long* hi) {
  size_t close = go.find('}', i);
  if (close == absl::string_view::npos) return false;
  absl::string_view body = go.substr(i + 1, close - i - 1);
  size_t comma = body.find(',');
  auto number = [](absl::string_view s, long* out) {
    if (s.empty() || s.size() > 6) return false;
    for (char c : s) {
      if (!isdigit(static_cast<unsigned char>(c))) return false;
    }
    *out = std::strtol(std::string(s).c_str(), nullptr, 10);
    return true;
  };
  if (comma == absl::string_view::npos) {
    if (!number(body, lo)) return false;
    *hi = *lo;
  } else {
    if (!number(body.substr(0, comma), lo)) return false;
    absl::string_view upper = body.substr(comma + 1);
    if (upper.empty()) {
      *hi = -1;
    } else if (!number(upper, hi)) {
      return false;
    }
  }
  *len = close - i + 1;
  return true;
}

}  // namespace

std::string GoRegexToRe2(absl::string_view go) {
  std::string out;
  out.reserve(go.size());
  bool in_class = false;
  for (size_t i = 0; i < go.size(); ++i) {
    char c = go[i];
    if (c == '\\' && i + 1 < go.size()) {
      absl::StrAppend(&out, go.substr(i, 2));
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < go.size() && go[i + 1] == ']') {
        out.append("[]");
        ++i;
        continue;
      }
    } else if (go.substr(i, 3) == "(?<" && i + 3 < go.size() &&
               go[i + 3] != '=' && go[i + 3] != '!') {
      out.append("(?P<");
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string GoRegexToHyperscan(absl::string_view go) {
  std::string out;
  out.reserve(go.size() + 16);
  // Per open group: how many atoms it holds and whether the last can match
  // a multi-byte character. A group of one wide atom, like "(?s:.)", counts
  // as that atom; repeating a longer group repeats a pattern whose atoms
  // carry their own widths, so its count stays.
  struct Group {
    int atoms = 0;
    bool wide = false;
  };
  std::vector<Group> groups;
  bool last_wide = false;
  bool have_atom = false;
  auto atom_done = [&](bool wide) {
    last_wide = wide;
    have_atom = true;
    if (!groups.empty()) {
      ++groups.back().atoms;
      groups.back().wide = wide;
    }
  };
  size_t i = 0;
  while (i < go.size()) {
    char c = go[i];
    unsigned char uc = static_cast<unsigned char>(c);
    size_t len = 1;
    bool wide = false;
    if (c == '\\' || c == '[' || c == '.') {
      if (c == '\\') len = EscapeLength(go, i, &wide);
      if (c == '[') len = ClassLength(go, i, &wide);
      if (c == '.') wide = true;
      absl::StrAppend(&out, go.substr(i, len));
      i += len;
      atom_done(wide);
      continue;
    }
    if (c == '(') {
      groups.emplace_back();
      have_atom = false;
      size_t skip = 1;
      if (go.substr(i, 3) == "(?<" && i + 3 < go.size() && go[i + 3] != '=' &&
          go[i + 3] != '!') {
        out.append("(?P<");
        skip = 3;
      } else if (go.substr(i, 2) == "(?") {
        // Flags or a non-capturing group: copy through ':' or ')'.
        size_t end = go.find_first_of(":)", i + 2);
        skip = end == absl::string_view::npos ? go.size() - i : end - i + 1;
        absl::StrAppend(&out, go.substr(i, skip));
        if (end != absl::string_view::npos && go[end] == ')') {
          groups.pop_back();  // "(?i)": flags only, no group
        }
        i += skip;
        continue;
      } else {
        out.push_back('(');
      }
      i += skip;
      continue;
    }
    if (c == ')') {
      out.push_back(')');
      ++i;
      Group g = groups.empty() ? Group() : groups.back();
      if (!groups.empty()) groups.pop_back();
      atom_done(g.atoms == 1 && g.wide);
      continue;
    }
    if (c == '{') {
      size_t rlen;
      long lo, hi;
      if (have_atom && ParseRepeat(go, i, &rlen, &lo, &hi)) {
        if (last_wide && hi > 0) {
          // Long bounded repeats are costly for Hyperscan to compile; the
          // prefilter may be looser, RE2 holds the real bound.
          if (hi * 4 > kMaxBound) {
            absl::StrAppend(&out, "{", lo, ",}");
          } else {
            absl::StrAppend(&out, "{", lo, ",", hi * 4, "}");
          }
        } else {
          absl::StrAppend(&out, go.substr(i, rlen));
        }
        i += rlen;
        have_atom = false;
        continue;
      }
    }
    if (c == '*' || c == '+' || c == '?' || c == '|' || c == '^' || c == '$') {
      out.push_back(c);
      ++i;
      have_atom = false;
      if (c == '|' && !groups.empty()) groups.back().atoms = 2;
      continue;
    }
    if (uc >= 0x80) {
      while (i + len < go.size() && IsContinuation(go[i + len])) ++len;
      absl::StrAppend(&out, "(?:", go.substr(i, len), ")");
      i += len;
      atom_done(true);
      continue;
    }
    out.push_back(c);
    ++i;
    atom_done(false);
  }
  return out;
}

}  // namespace dso
