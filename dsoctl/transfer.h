// Moving bytes between dsoctl and the agent's artifact store: files up and
// down (verified by digest on both ends) and input directories, which go
// by path when the agent can read them and as a tar upload otherwise.
#ifndef DSO_DSOCTL_TRANSFER_H_
#define DSO_DSOCTL_TRANSFER_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "dso/v1/steps.pb.h"
#include "dsoctl/connection.h"
#include "dsoctl/follow.h"
#include "stages/files/tar_dir.h"
#include "stages/store/blob_store.h"

namespace dso {

// Uploads a file unless the agent has it already.
absl::StatusOr<BlobInfo> UploadFile(AgentConnection& conn,
                                    const std::string& path);

// Downloads a blob to `out` (via a temp file beside it, renamed only after
// the digest checked out).
absl::StatusOr<BlobInfo> DownloadBlob(AgentConnection& conn,
                                      const std::string& digest,
                                      const std::string& out);

// The Input for a local directory or file: its path when the agent shares
// this file system and may read it (embedded, or under its allowed roots),
// a handle when it reads it in place through a descriptor handed over
// (runtime/input_handles.h), else a tar of it (a file: of a directory holding
// just it) uploaded to the agent, without what `skip` leaves out (entries
// the step would not read).
absl::StatusOr<dso::v1::Input> PrepareInput(AgentConnection& conn,
                                            const std::string& dir,
                                            const PackSkip& skip = nullptr);

// PrepareInput for an option that names a single file: INVALID_ARGUMENT
// "FLAG 'PATH' is not a file" otherwise.
absl::StatusOr<dso::v1::Input> PrepareFileInput(AgentConnection& conn,
                                                const std::string& flag,
                                                const std::string& path);

// Whether an image argument names an image in a registry rather than a
// file here: nothing at that path, not written as a path ('/', '.'), and a
// valid reference (registry.h). The step pulls such images itself.
bool IsRegistryImage(const std::string& arg);

// An --image argument: a layout directory or docker archive here (DIR:TAG
// for one image of a layout holding several), sent as an Input, or else a
// registry reference the step pulls itself.
// Where one of a run's artifacts goes on this machine: a file, or, for a
// tar of an OCI image layout, a layout directory placed whole
// (PlaceLayout); or where the run itself wrote it (a step that ran in a
// directory of this machine), recorded but not downloaded.
struct Output {
  std::string path;
  bool layout = false;
  bool in_place = false;
};
// The outputs a command wants, by artifact name.
using OutputPlan = std::map<std::string, Output>;

// Where a step's output files go: for each name, the path a flag gave
// (`asked`, "" when none), else beside the --json summary when there is
// one, else nowhere.
OutputPlan OutputPaths(const std::string& json_path,
                       const std::map<std::string, std::string>& asked);

// Downloads the run's artifacts that `plan` names (creating parent
// directories; a layout is placed once whole and verified; an artifact of
// the digest already written to its path, such as one report under two
// names, is not fetched again); returns name -> local path of each.
absl::StatusOr<std::map<std::string, std::string>> DownloadOutputs(
    AgentConnection& conn, const FollowResult& run, const OutputPlan& plan);

// A directory an OCI layout may be written to: new, empty, or an image
// layout to replace (else INVALID_ARGUMENT naming `flag`).
absl::Status CheckLayoutDest(const std::string& flag, const std::string& out);
// Unpacks a layout tar beside `out`, then swaps it into place, so `out` is
// never half written.
absl::Status PlaceLayout(const std::string& tar, const std::string& out);

struct ImageArg {
  dso::v1::Input local;      // set for a local image
  std::string local_ref;     // the TAG of DIR:TAG
  std::string registry_ref;  // set for a registry image
  std::string path;          // the local path as given
};
absl::StatusOr<ImageArg> PrepareImageArg(AgentConnection& conn,
                                         const std::string& flag,
                                         const std::string& arg);

}  // namespace dso

#endif  // DSO_DSOCTL_TRANSFER_H_
