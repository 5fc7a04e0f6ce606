// The loading allowlist (stage 2 of the pipeline: dependencies and models
// only from our own vetted stores). YAML:
//
//   stores:                  # URL prefixes objects may be loaded from
//     - s3://vetted-artifacts/
//   artifacts:               # optional: exactly these objects
//     - name: requirements.lock        # the object's file name (optional)
//       digest: sha256:9f86d0...
//
// An empty list allows anything of its kind.
#ifndef DSO_STAGES_STORE_STORE_ALLOWLIST_H_
#define DSO_STAGES_STORE_STORE_ALLOWLIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dso {

struct StoreAllowlist {
  std::vector<std::string> stores;
  struct Artifact {
    std::string name, digest;
  };
  std::vector<Artifact> artifacts;

  // PERMISSION_DENIED naming the rule when `url` may not be loaded from.
  absl::Status CheckStore(const std::string& url) const;
  // PERMISSION_DENIED when the loaded object (file name, digest) is not
  // one of the listed artifacts.
  absl::Status CheckArtifact(const std::string& url,
                             const std::string& digest) const;
  std::string source;  // the file, for messages
};

absl::StatusOr<StoreAllowlist> ParseStoreAllowlist(const std::string& yaml,
                                                   const std::string& source);

}  // namespace dso

#endif  // DSO_STAGES_STORE_STORE_ALLOWLIST_H_
