// Remote artifact stores behind one interface: a store URL names one
// object, which Put uploads a local file to and Get downloads from.
//
//   file://DIR[/sha256:<hex>]        a content-addressed store (blob_store.h)
//   s3://BUCKET/KEY                  S3 or an S3-compatible server (SigV4)
//   nexus+https://HOST/repository/REPO/PATH   a Nexus raw repository
//   ftp://HOST/PATH, ftps://HOST/PATH
//
// A URL ending in '/' names a prefix: Put appends the file's name.
// Every transfer is verified by SHA-256: a Put records the digest with the
// object and checks what arrived; a Get writes beside the destination and
// renames only after the bytes matched the expected or recorded digest.
// Nothing partial ever appears under the final name, on either side.
// Transient failures are retried with backoff.
#ifndef DSO_STAGES_STORE_OBJECT_STORE_H_
#define DSO_STAGES_STORE_OBJECT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stages/core/secrets.h"

namespace dso {

struct StoredObject {
  std::string url;     // where it is (a prefix resolved)
  std::string digest;  // "sha256:<hex>"
  uint64_t size = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual absl::StatusOr<StoredObject> Put(const std::string& path) = 0;
  // `expected_digest` may be empty: then the digest recorded at Put is
  // checked (an object without one is refused).
  virtual absl::StatusOr<StoredObject> Get(
      const std::string& path, const std::string& expected_digest) = 0;
};

struct StoreOptions {
  std::string local_name;     // the file's name, for URLs ending in '/'
  bool insecure_tls = false;  // skip TLS verification (never by default)
  // Turns a file:// store's directory into the one used (the agent
  // confines it to its store roots); unset: as written.
  std::function<absl::StatusOr<std::string>(const std::string& dir)> local_dir;
};

// The store for `url`, credentials from `secret`: S3 AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, DSO_S3_ENDPOINT
// (a custom endpoint, e.g. http://127.0.0.1:7070); Nexus and FTP
// DSO_STORE_USERNAME / DSO_STORE_PASSWORD. Bad URLs are INVALID_ARGUMENT
// naming the URL.
absl::StatusOr<std::unique_ptr<ObjectStore>> OpenObjectStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret);

}  // namespace dso

#endif  // DSO_STAGES_STORE_OBJECT_STORE_H_
