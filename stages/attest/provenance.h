// SLSA provenance v1 (https://slsa.dev/provenance/v1) for an image, built
// from the run's context: the builder (DSO_BUILDER_ID, else the Jenkins
// instance, else this dso), the source (GIT_URL, GIT_COMMIT, BRANCH_NAME as
// Jenkins' git plugin sets them), the build's parameters, the base image
// resolved by digest (the manifest's org.opencontainers.image.base.*
// annotations, which `dsoctl build` writes) and the invocation (BUILD_URL
// when there is one).
#ifndef DSO_STAGES_ATTEST_PROVENANCE_H_
#define DSO_STAGES_ATTEST_PROVENANCE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "stages/oci/image_repo.h"

namespace dso {

inline constexpr char kSlsaProvenanceType[] = "https://slsa.dev/provenance/v1";
inline constexpr char kDsoBuildType[] =
    "https://dso.dev/buildtypes/oci-image/v1";

// The names of the context values dsoctl passes (from its environment).
inline constexpr const char* kProvenanceContextNames[] = {
    "DSO_BUILDER_ID", "JENKINS_URL",  "BUILD_URL",
    "JOB_NAME",       "BUILD_NUMBER", "GIT_URL",
    "GIT_COMMIT",     "BRANCH_NAME",  "SOURCE_DATE_EPOCH"};

// The predicate (a JSON object) for the image `repo` names, whose manifest
// digest is `image_digest`.
absl::StatusOr<std::string> SlsaProvenance(
    ImageRepo& repo, const std::string& image_digest,
    const std::map<std::string, std::string>& context);

}  // namespace dso

#endif  // DSO_STAGES_ATTEST_PROVENANCE_H_
