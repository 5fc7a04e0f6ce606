#include "stages/core/json_text.h"

#include "absl/strings/str_cat.h"

namespace dso {

namespace {

// Whether no value of `text` lies inside more than `max_depth` arrays and
// objects (the depth nlohmann's parser callback reports). Checked before
// parsing: a parser callback makes nlohmann rescan each object's members
// at every member's end, quadratic in the members of large lockfiles.
bool NestingAtMost(absl::string_view text, int max_depth) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' ||
        c == ':') {
      continue;
    }
    if (c == ']' || c == '}') {
      if (depth > 0) --depth;
      continue;
    }
    if (depth > max_depth) return false;  // a value this deep
    if (c == '[' || c == '{') {
      ++depth;
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJson(absl::string_view text,
                                         const std::string& name,
                                         int max_depth) {
  if (max_depth > 0 && !NestingAtMost(text, max_depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": nested deeper than ", max_depth));
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double.
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not JSON: ", e.what()));
  }
}

absl::flat_hash_map<std::string, uint32_t> FirstLinesOfStrings(
    absl::string_view text) {
  absl::flat_hash_map<std::string, uint32_t> out;
  uint32_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (text[i] != '"') continue;
    size_t start = i + 1, end = start;
    uint32_t at = line;
    while (end < text.size() && text[end] != '"') {
      if (text[end] == '\n') ++line;
      end += text[end] == '\\' ? 2 : 1;
    }
    if (end >= text.size()) break;  // unterminated: the parser says so
    out.emplace(std::string(text.substr(start, end - start)), at);
    i = end;
  }
  return out;
}

std::string StringAt(const nlohmann::json& j, const char* key,
                     const std::string& fallback) {
  const nlohmann::json& v = MemberAt(j, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}

const nlohmann::json& MemberAt(const nlohmann::json& j, const char* key) {
  static const auto* null = new nlohmann::json();
  if (!j.is_object()) return *null;
  auto it = j.find(key);
  return it == j.end() ? *null : *it;
}

uint32_t LineOf(const absl::flat_hash_map<std::string, uint32_t>& lines,
                const std::string& token) {
  auto it = lines.find(token);
  return it == lines.end() ? 0 : it->second;
}

}  // namespace dso
