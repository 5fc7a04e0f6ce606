// Reading a file someone else named: the one way every reader in dso opens
// keys, configs, policies, reports, lockfiles and manifests.
//
// A request may name any path; what it names is treated as hostile:
//   - only regular files are read (a device such as /dev/zero, a FIFO, a
//     socket or a directory is refused, and opening never blocks on a FIFO);
//   - at most a cap of bytes per kind of file (FileKind) is read: a larger
//     file is refused by its size, a file growing while read is cut off at
//     the cap and refused, never read whole into memory;
//   - beneath a root (ReadFileBeneath, OpenBeneath) the path is resolved by
//     the kernel without leaving the root: no "..", absolute link or chain
//     of relative links gets out (openat2 RESOLVE_BENEATH, or a walk that
//     refuses every link where openat2 is missing).
// Error messages name the file and what is wrong with it.
//
// Usage:
//   ASSIGN_OR_RETURN(std::string pem, ReadFile(path, FileKind::kKey));
//   ASSIGN_OR_RETURN(std::string toml,
//                    ReadFileBeneath(scan_root, "rules.toml",
//                                    FileKind::kConfig));
#ifndef DSO_STAGES_CORE_BOUNDED_FILE_H_
#define DSO_STAGES_CORE_BOUNDED_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dso {

// What a file is, for its size cap.
enum class FileKind {
  kKey,       // private and public keys, certificates, tokens
  kConfig,    // rule files, policies, waivers, allowlists, agent config
  kManifest,  // OCI index/manifest/config JSON, release records
  kDocument,  // lockfiles, OSV records, attested documents
  kReport,    // scanner reports (SARIF, JSON, CycloneDX), gate evidence
};

// Caps in bytes, per kind; the agent's config (read_limits) sets them.
struct FileReadLimits {
  uint64_t key = 1ull << 20;
  uint64_t config = 8ull << 20;
  uint64_t manifest = 16ull << 20;
  uint64_t document = 256ull << 20;
  uint64_t report = 512ull << 20;

  uint64_t For(FileKind kind) const;
};

// Process-wide caps: set once at start-up, before any run begins (not
// synchronised with readers).
void SetFileReadLimits(const FileReadLimits& limits);
const FileReadLimits& GetFileReadLimits();
// "key", "config", ... as in the agent config's read_limits.
const char* FileKindName(FileKind kind);

// Opens `path` read-only if it is a regular file (links followed), without
// blocking. Returns the descriptor, owned by the caller (close-on-exec).
absl::StatusOr<int> OpenRegularFile(const std::string& path);

// Opens `rel` (relative, or "" / "." for the root itself) beneath the
// directory `root` with open(2) `flags` (O_CLOEXEC is added), resolving
// every component, links included, without leaving `root`. A path that
// would leave it is PERMISSION_DENIED. Returns the descriptor, owned by
// the caller.
absl::StatusOr<int> OpenBeneath(const std::string& root, const std::string& rel,
                                int flags);

// OpenBeneath for reading a regular file (as OpenRegularFile).
absl::StatusOr<int> OpenRegularBeneath(const std::string& root,
                                       const std::string& rel);

// Reads the regular file `path` whole, at most the cap of `kind`.
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     FileKind kind = FileKind::kConfig);

// The same with an explicit cap (an OCI blob of a declared size, the
// vulnerability database).
absl::StatusOr<std::string> ReadFileUpTo(const std::string& path,
                                         uint64_t max_bytes);

// Reads the regular file `rel` beneath `root` (see OpenBeneath), at most
// the cap of `kind`.
absl::StatusOr<std::string> ReadFileBeneath(const std::string& root,
                                            const std::string& rel,
                                            FileKind kind);

// Reads an open descriptor to its end, at most `max_bytes`; `name` names
// the file in errors. Does not close `fd`.
absl::StatusOr<std::string> ReadBounded(int fd, const std::string& name,
                                        uint64_t max_bytes);

}  // namespace dso

#endif  // DSO_STAGES_CORE_BOUNDED_FILE_H_
