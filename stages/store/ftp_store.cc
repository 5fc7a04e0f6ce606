// ftp://[HOST[:PORT]]/PATH and ftps:// (explicit TLS required): uploads go
// to ".NAME.part" and are renamed into place by the server once complete,
// the digest is recorded in NAME.sha256 the same way, and the object is
// read back and hashed before the put counts as done. Credentials:
// DSO_STORE_USERNAME / DSO_STORE_PASSWORD (else anonymous).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/status_macros.h"
#include "stages/net/http.h"
#include "stages/store/object_store_impl.h"

namespace dso {
namespace {

class FtpStore : public ObjectStore {
 public:
  FtpStore(std::string url, std::string base, std::string dir, std::string name,
           std::string userpwd, bool tls, bool insecure)
      : url_(std::move(url)),
        base_(std::move(base)),
        dir_(std::move(dir)),
        name_(std::move(name)),
        userpwd_(std::move(userpwd)),
        tls_(tls),
        insecure_(insecure) {}

  absl::StatusOr<StoredObject> Put(const std::string& path) override {
    return PutWithSidecar(
        path, url_, name_,
        [&](const std::string& suffix, HttpBody* body) {
          return Upload(name_ + suffix, body);
        },
        Request(name_));
  }

  absl::StatusOr<StoredObject> Get(const std::string& path,
                                   const std::string& expected) override {
    HttpRequest side = Request(name_ + ".sha256");
    side.limit = 4096;
    return DownloadVerified(Request(name_), side, url_, path, expected);
  }

 private:
  HttpRequest Request(const std::string& file) const {
    HttpRequest r;
    r.url = absl::StrCat(base_, dir_, UrlEncode(file));
    r.userpwd = userpwd_;
    r.ftp_tls = tls_;
    r.insecure_tls = insecure_;
    r.timeout = absl::Seconds(60);
    return r;
  }

  // Writes ".FILE.part", then renames it to FILE on the server.
  absl::Status Upload(const std::string& file, HttpBody* body) {
    return WithRetries([&]() -> absl::Status {
      HttpRequest r = Request("." + file + ".part");
      r.method = "PUT";
      r.body = body;
      r.bulk = true;
      r.ftp_post_quote = {"RNFR ." + file + ".part", "RNTO " + file};
      ASSIGN_OR_RETURN(HttpResponse resp, HttpPerform(r, url_));
      (void)resp;  // FTP answers carry no HTTP status; errors come above
      return absl::OkStatus();
    });
  }

  std::string url_, base_, dir_, name_, userpwd_;
  bool tls_, insecure_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenFtpStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret) {
  bool tls = absl::StartsWith(url, "ftps://");
  std::string rest = url.substr(tls ? 7 : 6);
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store URL '", url, "': ftp://HOST/PATH names a host and a path"));
  }
  std::string host = rest.substr(0, slash);
  std::string path = rest.substr(slash);  // "/dir/name" or "/dir/"
  if (path.back() == '/') path += options.local_name;
  size_t last = path.rfind('/');
  std::string dir = path.substr(0, last + 1), name = path.substr(last + 1);
  if (name.empty() || name == "." || name == ".." ||
      absl::StrContains(path, "/../")) {
    return absl::InvalidArgumentError(
        absl::StrCat("store URL '", url, "' names no file"));
  }
  std::string user = secret("DSO_STORE_USERNAME");
  std::string userpwd =
      user.empty() ? "anonymous:dso@"
                   : absl::StrCat(user, ":", secret("DSO_STORE_PASSWORD"));
  return std::make_unique<FtpStore>(
      absl::StrCat(tls ? "ftps://" : "ftp://", host, dir, name),
      absl::StrCat("ftp://", host), UrlEncode(dir, true), name, userpwd, tls,
      options.insecure_tls);
}

}  // namespace dso
