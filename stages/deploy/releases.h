// A host target's directory: versioned releases and the `current` link.
//
//   DIR/releases/<UTC time>-<digest hex[0:12]>/   one per deployment
//       rootfs/          the image's files
//       release.json     what it is and how it starts (app_process.h)
//   DIR/current -> releases/<id>     switched atomically (rename of a new
//                                    symbolic link over the old)
//   DIR/shared/NAME      directories kept across releases
//   DIR/run/             the running application's pid file and log
//   DIR/events.jsonl     RASP events
#ifndef DSO_STAGES_DEPLOY_RELEASES_H_
#define DSO_STAGES_DEPLOY_RELEASES_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dso {

// Creates DIR's layout if missing and a new, empty release directory for
// `digest`; returns its id.
absl::StatusOr<std::string> CreateRelease(const std::string& dir,
                                          const std::string& digest,
                                          absl::Time now);

std::string ReleasePath(const std::string& dir, const std::string& id);

// The release `current` names, "" when there is none.
absl::StatusOr<std::string> CurrentRelease(const std::string& dir);

// Points `current` at release `id`, atomically.
absl::Status SwitchCurrent(const std::string& dir, const std::string& id);

// Release ids, oldest first.
absl::StatusOr<std::vector<std::string>> ListReleases(const std::string& dir);

// Removes the oldest releases beyond `keep`, never one in `protect`;
// returns the ids removed.
absl::StatusOr<std::vector<std::string>> PruneReleases(
    const std::string& dir, int keep, const std::set<std::string>& protect);

// Holds an exclusive lock on DIR/.deploy.lock while alive, so two
// deployments to one target never interleave.
class DeployLock {
 public:
  static absl::StatusOr<DeployLock> Acquire(const std::string& dir);
  DeployLock(DeployLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DeployLock& operator=(DeployLock&&) = delete;
  ~DeployLock();

 private:
  explicit DeployLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace dso

#endif  // DSO_STAGES_DEPLOY_RELEASES_H_
