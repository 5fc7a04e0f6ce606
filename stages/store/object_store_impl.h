// The back ends behind OpenObjectStore (object_store.h), one file each.
#ifndef DSO_STAGES_STORE_OBJECT_STORE_IMPL_H_
#define DSO_STAGES_STORE_OBJECT_STORE_IMPL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stages/store/object_store.h"

namespace dso {

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenFileStore(
    const std::string& url);
absl::StatusOr<std::unique_ptr<ObjectStore>> OpenS3Store(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret);

}  // namespace dso

#endif  // DSO_STAGES_STORE_OBJECT_STORE_IMPL_H_
