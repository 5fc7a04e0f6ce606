// A CycloneDX 1.5 JSON SBOM of an inventory: one library component per
// distinct package (its purl as bom-ref), with the lockfiles and lines it
// was found at as properties.
#ifndef DSO_STAGES_SCAN_DEPS_SBOM_H_
#define DSO_STAGES_SCAN_DEPS_SBOM_H_

#include <string>

#include "absl/time/time.h"
#include "stages/scan/deps/lockfiles.h"

namespace dso {

// The package URL (purl spec) of a package: pkg:pypi/..., pkg:golang/...,
// pkg:npm/..., pkg:cargo/...; "" for an ecosystem without a purl type here.
std::string PackageUrl(const Package& p);

// `subject` names the scanned project; `serial` is a UUID (the BOM's
// serialNumber); `when` its timestamp (SOURCE_DATE_EPOCH gives builds a
// fixed one).
std::string CycloneDxJson(const Inventory& inventory,
                          const std::string& subject, const std::string& serial,
                          absl::Time when);

// A random (version 4) UUID, for serialNumber.
std::string NewUuid();

}  // namespace dso

#endif  // DSO_STAGES_SCAN_DEPS_SBOM_H_
