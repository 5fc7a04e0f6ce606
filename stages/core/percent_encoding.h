// Percent-encoding (RFC 3986) for URL paths and queries, SARIF artifact
// URIs and the like: one rule for every place dso writes a URI.
#ifndef DSO_STAGES_CORE_PERCENT_ENCODING_H_
#define DSO_STAGES_CORE_PERCENT_ENCODING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dso {

// Percent-encodes everything but RFC 3986's unreserved characters (and
// '/' when `keep_slash`): "a b#1.py" -> "a%20b%231.py".
std::string UrlEncode(absl::string_view s, bool keep_slash = false);

// The bytes `s` encodes; a '%' not followed by two hex digits stays as is.
std::string UrlDecode(absl::string_view s);

}  // namespace dso

#endif  // DSO_STAGES_CORE_PERCENT_ENCODING_H_
