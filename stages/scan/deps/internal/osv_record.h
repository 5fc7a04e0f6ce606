// One OSV advisory (https://ossf.github.io/osv-schema/), read from its JSON
// or YAML form and checked: the fields matching needs must be there with
// the right types, and every error names the record's file and the field's
// path (`affected[1].ranges[0].events[2]`). Fields matching does not use
// (references, credits, ecosystem_specific) are not kept.
#ifndef DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_RECORD_H_
#define DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_RECORD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "stages/scan/deps/internal/osv_affected.h"

namespace dso {

struct OsvSeverity {
  std::string type;   // CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, ...
  std::string score;  // a vector string, or a level
};

struct OsvRecord {
  std::string id;
  std::string modified;   // RFC 3339, as written
  std::string withdrawn;  // empty unless withdrawn
  std::string summary;
  std::vector<std::string> aliases;
  std::vector<OsvSeverity> severity;
  // database_specific.severity where a database gives a level ("HIGH").
  std::string database_severity;
  std::vector<OsvAffected> affected;
};

// Largest record accepted, and deepest nesting of its JSON or YAML.
constexpr size_t kMaxOsvRecordBytes = 16 << 20;
constexpr int kMaxOsvNesting = 64;

// `name` identifies the record's source in errors (a file, or an archive
// and its member).
absl::StatusOr<OsvRecord> ParseOsvJson(absl::string_view text,
                                       const std::string& name);
absl::StatusOr<OsvRecord> ParseOsvYaml(absl::string_view text,
                                       const std::string& name);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_INTERNAL_OSV_RECORD_H_
