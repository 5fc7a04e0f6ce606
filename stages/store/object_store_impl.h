// The back ends behind OpenObjectStore (object_store.h), one file each.
#ifndef DSO_STAGES_STORE_OBJECT_STORE_IMPL_H_
#define DSO_STAGES_STORE_OBJECT_STORE_IMPL_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stages/net/http.h"
#include "stages/store/object_store.h"

namespace dso {

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenFileStore(
    const std::string& url, const StoreOptions& options);
absl::StatusOr<std::unique_ptr<ObjectStore>> OpenS3Store(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret);
absl::StatusOr<std::unique_ptr<ObjectStore>> OpenFtpStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret);
absl::StatusOr<std::unique_ptr<ObjectStore>> OpenNexusStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret);

// Stores without object metadata (FTP, Nexus raw) record an object's
// digest in a sidecar "<name>.sha256" holding "<hex>  <name>\n", as
// sha256sum writes it.
std::string SidecarText(const std::string& digest, const std::string& name);
absl::StatusOr<std::string> ParseSidecar(const std::string& text,
                                         const std::string& url);
// Put for such stores: uploads the file (`upload` with suffix ""), then its
// sidecar (suffix ".sha256"), then reads the object back with `readback`
// and checks it has the file's digest.
absl::StatusOr<StoredObject> PutWithSidecar(
    const std::string& path, const std::string& url, const std::string& name,
    const std::function<absl::Status(const std::string& suffix, HttpBody*)>&
        upload,
    const HttpRequest& readback);
// Streams the answer to `request` through SHA-256: "sha256:<hex>" of what
// the server now holds (a read-back check after an upload).
absl::StatusOr<std::string> DigestOfDownload(HttpRequest request,
                                             const std::string& what);
// Downloads into `path` (verified_file.h) against `expected`, or else the
// digest in the sidecar fetched with `sidecar_request`.
absl::StatusOr<StoredObject> DownloadVerified(HttpRequest request,
                                              HttpRequest sidecar_request,
                                              const std::string& url,
                                              const std::string& path,
                                              const std::string& expected);

}  // namespace dso

#endif  // DSO_STAGES_STORE_OBJECT_STORE_IMPL_H_
