// The local vulnerability database: OSV advisories imported from files and
// archives, kept in one protobuf file (`osv.db` in the database directory)
// that each import replaces atomically, and indexed by ecosystem and
// normalised package name for matching.
#ifndef DSO_STAGES_SCAN_DEPS_OSV_DB_H_
#define DSO_STAGES_SCAN_DEPS_OSV_DB_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dso/v1/osv_db.pb.h"
#include "stages/scan/deps/internal/osv_affected.h"

namespace dso {

// The name as the ecosystem compares names: PyPI's per PEP 503 (lower case,
// runs of `-`, `_`, `.` as one `-`); NuGet's and Packagist's in lower case
// (NuGet ids ignore case; Composer's are lower case); others as written.
std::string NormalizePackageName(absl::string_view ecosystem,
                                 absl::string_view name);

struct OsvImportStats {
  size_t read = 0;       // records read
  size_t added = 0;      // new ids
  size_t updated = 0;    // a newer `modified` replaced the stored one
  size_t unchanged = 0;  // not newer than the stored one
  size_t withdrawn = 0;  // withdrawn: not stored (removed if they were)
  size_t invalid = 0;    // malformed: skipped with a warning
  std::vector<std::string> warnings;
};

class OsvDatabase {
 public:
  static constexpr char kFileName[] = "osv.db";

  // The database in `dir`, or an empty one when `dir` has none yet. A
  // damaged file is an error, not an empty database.
  static absl::StatusOr<OsvDatabase> Open(const std::string& dir);

  // Reads the records under each path into this database (in memory).
  // Fails, leaving the database as it was, when a path or archive cannot
  // be read. `names` (if not empty, one per path) is how the sources are
  // recorded; by default their absolute paths.
  absl::StatusOr<OsvImportStats> Import(
      const std::vector<std::string>& paths, int64_t now_unix,
      const std::vector<std::string>& names = {});

  // Replaces dir/osv.db atomically (creating `dir` if needed).
  absl::Status Save(const std::string& dir) const;

  const dso::v1::OsvDatabase& data() const { return db_; }
  // Advisory counts per ecosystem (as records name them, e.g. "PyPI").
  std::map<std::string, size_t> CountsByEcosystem() const;

  // The advisories with an affected entry for this package.
  struct Hit {
    const dso::v1::OsvDbAdvisory* advisory;
    const dso::v1::OsvDbAffected* affected;
    const OsvAffected* matchable;  // `affected` converted once, at load
  };
  std::vector<Hit> Lookup(absl::string_view ecosystem,
                          absl::string_view name) const;

 private:
  void Reindex();

  dso::v1::OsvDatabase db_;
  struct Entry {
    int advisory, affected;
    OsvAffected matchable;
  };
  // ecosystem + '\0' + normalised name → its affected entries.
  absl::flat_hash_map<std::string, std::vector<Entry>> index_;
};

// The matching form of a stored affected entry.
OsvAffected ToOsvAffected(const dso::v1::OsvDbAffected& a);

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_OSV_DB_H_
