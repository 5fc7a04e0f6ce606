// JSON as dso reads its inputs (lockfiles, OSV records, reports for the
// gate): parsed with a nesting limit and a clear error naming the input,
// and the line where each string first appears (lockfiles report packages
// by line; nlohmann's DOM keeps none).
#ifndef DSO_STAGES_CORE_JSON_TEXT_H_
#define DSO_STAGES_CORE_JSON_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace dso {

// `name` leads every error ("NAME: not JSON: ...", "NAME: nested deeper
// than N"); max_depth 0 sets no limit.
absl::StatusOr<nlohmann::json> ParseJson(absl::string_view text,
                                         const std::string& name,
                                         int max_depth);

// The string member `key` of `j`; `fallback` when `j` is no object or the
// member is missing or no string. Never throws (nlohmann's value() does on
// a value of another type, which a hostile input chooses).
std::string StringAt(const nlohmann::json& j, const char* key,
                     const std::string& fallback = "");

// The member `key` of `j`, or a null value when `j` is no object or has
// none. Never throws.
const nlohmann::json& MemberAt(const nlohmann::json& j, const char* key);

// Every string token of `text` (as written, escapes not decoded) with the
// 1-based line of its first appearance. One pass over the text.
absl::flat_hash_map<std::string, uint32_t> FirstLinesOfStrings(
    absl::string_view text);
// The line `lines` (FirstLinesOfStrings) holds for `token`; 0 for none.
uint32_t LineOf(const absl::flat_hash_map<std::string, uint32_t>& lines,
                const std::string& token);

}  // namespace dso

#endif  // DSO_STAGES_CORE_JSON_TEXT_H_
