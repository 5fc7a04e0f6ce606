#include "stages/store/object_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/store/object_store_impl.h"

namespace dso {

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenObjectStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret) {
  if (absl::StartsWith(url, "file://")) return OpenFileStore(url);
  if (absl::StartsWith(url, "s3://")) {
    return OpenS3Store(url, options, secret);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "store URL '", url,
      "': use file:///DIR, s3://BUCKET/KEY, nexus+https://HOST/repository/"
      "REPO/PATH, ftp://HOST/PATH or oci://HOST/REPO:TAG"));
}

}  // namespace dso
