// nexus+https://HOST/repository/REPO/PATH: a Nexus raw (hosted) repository
// — or any HTTP server taking PUT, such as nginx with WebDAV — over HTTPS
// (nexus+http:// only for loopback tests). Uploads are one PUT, which
// Nexus and nginx store only once complete; the digest is recorded in
// PATH.sha256 and the object is read back and hashed before the put
// counts as done. Credentials: DSO_STORE_USERNAME / DSO_STORE_PASSWORD
// (HTTP basic).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"
#include "stages/net/http.h"
#include "stages/store/object_store_impl.h"

namespace dso {
namespace {

class NexusStore : public ObjectStore {
 public:
  NexusStore(std::string url, std::string http_url, std::string name,
             std::string userpwd, bool insecure)
      : url_(std::move(url)),
        http_url_(std::move(http_url)),
        name_(std::move(name)),
        userpwd_(std::move(userpwd)),
        insecure_(insecure) {}

  absl::StatusOr<StoredObject> Put(const std::string& path) override {
    return PutWithSidecar(
        path, url_, name_,
        [&](const std::string& suffix, HttpBody* body) {
          return Upload(http_url_ + suffix, body);
        },
        Request("GET", http_url_));
  }

  absl::StatusOr<StoredObject> Get(const std::string& path,
                                   const std::string& expected) override {
    HttpRequest side = Request("GET", http_url_ + ".sha256");
    side.limit = 4096;
    return DownloadVerified(Request("GET", http_url_), side, url_, path,
                            expected);
  }

 private:
  HttpRequest Request(const std::string& method, const std::string& url) const {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.userpwd = userpwd_;
    r.insecure_tls = insecure_;
    r.follow_redirects = method == "GET";
    r.timeout = absl::Seconds(60);
    return r;
  }

  absl::Status Upload(const std::string& url, HttpBody* body) {
    return WithRetries([&]() -> absl::Status {
      HttpRequest r = Request("PUT", url);
      r.headers = {"Content-Type: application/octet-stream"};
      r.body = body;
      r.bulk = true;
      ASSIGN_OR_RETURN(HttpResponse resp, HttpPerform(r, url_));
      if (resp.status != 200 && resp.status != 201 && resp.status != 204) {
        if (resp.status == 401 || resp.status == 403) {
          return absl::PermissionDeniedError(absl::StrCat(
              url_, ": access denied (HTTP ", resp.status,
              "); check DSO_STORE_USERNAME and DSO_STORE_PASSWORD"));
        }
        return HttpStatusError(url_, resp);
      }
      return absl::OkStatus();
    });
  }

  std::string url_, http_url_, name_, userpwd_;
  bool insecure_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenNexusStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret) {
  std::string http = url.substr(6);  // after "nexus+"
  size_t host_end = http.find('/', http.find("://") + 3);
  if (host_end == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store URL '", url,
        "': nexus+https://HOST/repository/REPO/PATH names a path"));
  }
  std::string path = http.substr(host_end);
  if (path.back() == '/') path += options.local_name;
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty() || absl::StrContains(path, "/../") ||
      absl::StrContains(path, "/./")) {
    return absl::InvalidArgumentError(
        absl::StrCat("store URL '", url, "' names no file"));
  }
  std::string user = secret("DSO_STORE_USERNAME");
  std::string userpwd =
      user.empty() ? "" : absl::StrCat(user, ":", secret("DSO_STORE_PASSWORD"));
  return std::make_unique<NexusStore>(
      absl::StrCat("nexus+", http.substr(0, host_end), path),
      absl::StrCat(http.substr(0, host_end), UrlEncode(path, true)), name,
      userpwd, options.insecure_tls);
}

}  // namespace dso
