// Opening the image a signing or verification step names (an
// ImageLocation: a layout Input or a registry reference) as an ImageRepo,
// and returning what a step changed in a layout that travelled as a tar.
#ifndef DSO_STAGES_SIGN_IMAGE_LOCATION_H_
#define DSO_STAGES_SIGN_IMAGE_LOCATION_H_

#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/steps.pb.h"
#include "stages/core/secrets.h"
#include "stages/core/step_context.h"
#include "stages/oci/image_repo.h"

namespace dso {

inline constexpr char kLayoutUpdateArtifact[] = "layout-update.tar";

struct OpenedImage {
  std::unique_ptr<ImageRepo> repo;
  std::string layout_dir;              // empty for a registry
  bool layout_copied = false;          // the layout is the run's copy of a tar
  std::set<std::string> blobs_before;  // its blob names when opened
};

absl::StatusOr<OpenedImage> OpenImageLocation(
    const dso::v1::ImageLocation& location, StepContext& context,
    const dso::v1::RunStepRequest& request);

// For a copied layout: packs the blobs added since it was opened and
// index.json into kLayoutUpdateArtifact and stores it as an artifact of
// the run. Nothing for a registry or a layout changed in place.
absl::StatusOr<std::optional<dso::v1::Artifact>> ReturnLayoutUpdate(
    const OpenedImage& image, StepContext& context);

// Applies such an update to the layout directory `dir`: every blob checked
// against its name and added, then index.json replaced atomically (so the
// layout is never left naming a blob it lacks).
absl::Status ApplyLayoutUpdate(const std::string& tar, const std::string& dir,
                               const std::string& scratch);

}  // namespace dso

#endif  // DSO_STAGES_SIGN_IMAGE_LOCATION_H_
