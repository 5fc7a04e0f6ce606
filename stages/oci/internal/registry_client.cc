#include "stages/oci/internal/registry_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/files/verified_file.h"
#include "stages/net/http.h"
#include "stages/oci/internal/registry_responses.h"

namespace dso {
namespace {

constexpr char kAccept[] =
    "Accept: application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

bool IsLoopback(absl::string_view host) {
  host = host.substr(
      0, host.rfind(':') == absl::string_view::npos || host.front() == '['
             ? host.size()
             : host.rfind(':'));
  return host == "localhost" || absl::StartsWith(host, "127.") ||
         absl::StartsWith(host, "[::1]");
}

}  // namespace

class RegistryClient::Session {
 public:
  Session(RegistryRef ref, RegistryOptions options)
      : ref_(std::move(ref)), o_(std::move(options)) {
    origin_ = absl::StrCat(
        o_.plain_http || IsLoopback(ref_.registry) ? "http://" : "https://",
        ref_.registry);
    base_ = absl::StrCat(origin_, "/v2/", ref_.repository, "/");
  }

  std::string Where() const { return ref_.ToString(); }
  const RegistryOptions& options() const { return o_; }
  // A path under the repository, or a Location the registry sent.
  std::string Url(const std::string& path_or_location) const {
    if (absl::StartsWith(path_or_location, "http://") ||
        absl::StartsWith(path_or_location, "https://")) {
      return path_or_location;
    }
    if (absl::StartsWith(path_or_location, "/")) {
      return origin_ + path_or_location;
    }
    return base_ + path_or_location;
  }

  // One request, answering an authentication challenge when the registry
  // asks (again when a push needs another scope than a pull had).
  absl::StatusOr<HttpResponse> Do(HttpRequest req) {
    req.timeout = o_.timeout;
    req.follow_redirects = req.method == "GET" || req.method == "HEAD";
    std::vector<std::string> headers = req.headers;
    HttpResponse r;
    for (int attempt = 0;; ++attempt) {
      req.headers = headers;
      if (!auth_.empty()) req.headers.push_back(auth_);
      ASSIGN_OR_RETURN(
          r, HttpPerform(req, absl::StrCat("registry ", ref_.registry)));
      std::string challenge = r.header("www-authenticate");
      if (r.status != 401 || attempt > 0 || challenge == answered_) break;
      answered_ = challenge;
      RETURN_IF_ERROR(Authenticate(challenge));
    }
    if (r.status == 401 || r.status == 403) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": access denied (HTTP ", r.status, ") for ",
                       req.method, CredentialsHint()));
    }
    return r;
  }

  absl::Status HttpError(const std::string& what, const HttpResponse& r) const {
    if (r.status == 404) {
      return absl::NotFoundError(
          absl::StrCat(Where(), ": no such ", what, " in the registry"));
    }
    return HttpStatusError(
        absl::StrCat(Where(), ": the registry's answer for the ", what), r);
  }

 private:
  std::string CredentialsHint() const {
    return absl::StrCat(o_.username.empty() ? "; set" : "; check",
                        " DSO_REGISTRY_USERNAME and DSO_REGISTRY_PASSWORD");
  }

  // Answers a WWW-Authenticate challenge: Basic with the credentials, or
  // Bearer with a token from the realm it names.
  absl::Status Authenticate(const std::string& challenge) {
    std::string basic;
    if (!o_.username.empty()) {
      basic = absl::Base64Escape(absl::StrCat(o_.username, ":", o_.password));
    }
    if (absl::StartsWithIgnoreCase(challenge, "basic")) {
      if (basic.empty()) {
        return absl::PermissionDeniedError(
            absl::StrCat(Where(),
                         ": the registry needs credentials; set "
                         "DSO_REGISTRY_USERNAME and DSO_REGISTRY_PASSWORD"));
      }
      auth_ = "Authorization: Basic " + basic;
      return absl::OkStatus();
    }
    if (!absl::StartsWithIgnoreCase(challenge, "bearer")) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": unsupported authentication '",
                       challenge.substr(0, challenge.find(' ')), "'"));
    }
    std::map<std::string, std::string> params =
        ParseChallengeParams(absl::string_view(challenge).substr(6));
    if (params["realm"].empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": a Bearer challenge without a realm"));
    }
    std::string scope =
        params.count("scope")
            ? params["scope"]
            : absl::StrCat("repository:", ref_.repository, ":pull");
    HttpRequest token;
    token.url = absl::StrCat(
        params["realm"],
        params["realm"].find('?') == std::string::npos ? "?" : "&",
        "service=", UrlEncode(params["service"]), "&scope=", UrlEncode(scope));
    token.limit = 1 << 20;
    token.timeout = o_.timeout;
    if (!basic.empty())
      token.headers.push_back("Authorization: Basic " + basic);
    ASSIGN_OR_RETURN(HttpResponse r,
                     HttpPerform(token, absl::StrCat("the token service of ",
                                                     ref_.registry)));
    if (r.status != 200) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": the token service refused (HTTP ", r.status,
                       ")", CredentialsHint()));
    }
    ASSIGN_OR_RETURN(std::string t, TokenFromResponse(r.body, Where()));
    auth_ = "Authorization: Bearer " + t;
    return absl::OkStatus();
  }

  RegistryRef ref_;
  RegistryOptions o_;
  std::string origin_, base_;
  std::string auth_;
  std::string answered_;  // the last challenge answered
};

RegistryClient::RegistryClient(RegistryRef ref, RegistryOptions options)
    : ref_(ref),
      session_(std::make_unique<Session>(std::move(ref), std::move(options))) {}

RegistryClient::~RegistryClient() = default;

namespace {

HttpRequest Request(const std::string& method, const std::string& url,
                    std::vector<std::string> headers = {}) {
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.headers = std::move(headers);
  return r;
}

// "...?digest=sha256:..." on an upload location.
std::string WithDigest(const std::string& url, const std::string& digest) {
  return absl::StrCat(url, url.find('?') == std::string::npos ? "?" : "&",
                      "digest=", digest);
}

}  // namespace

absl::StatusOr<std::optional<RegistryManifest>> RegistryClient::GetManifest(
    const std::string& reference) {
  HttpResponse r;
  RETURN_IF_ERROR(WithRetries([&]() -> absl::Status {
    HttpRequest req =
        Request("GET", session_->Url("manifests/" + reference), {kAccept});
    req.limit = session_->options().max_manifest_bytes;
    ASSIGN_OR_RETURN(r, session_->Do(std::move(req)));
    if (r.status >= 500 || r.status == 429) {
      return session_->HttpError("manifest", r);
    }
    return absl::OkStatus();
  }));
  if (r.status == 404) return std::optional<RegistryManifest>();
  if (r.status != 200) return session_->HttpError("manifest", r);
  RegistryManifest m;
  m.digest = Sha256Digest(r.body);
  if (absl::StartsWith(reference, "sha256:") && m.digest != reference) {
    return absl::DataLossError(absl::StrCat(
        Where(), ": the manifest does not match its digest ", reference));
  }
  ASSIGN_OR_RETURN(
      m.media_type,
      ManifestMediaType(r.body, r.header("content-type"),
                        absl::StrCat(Where(), ": the manifest ", reference)));
  m.bytes = std::move(r.body);
  return std::optional<RegistryManifest>(std::move(m));
}

absl::StatusOr<RegistryManifest> RegistryClient::ResolveImage(
    const std::string& reference) {
  std::string next = reference;
  for (int depth = 0; depth < 3; ++depth) {
    ASSIGN_OR_RETURN(std::optional<RegistryManifest> m, GetManifest(next));
    if (!m) {
      return absl::NotFoundError(
          absl::StrCat(Where(), ": no manifest ", next, " in the registry"));
    }
    ASSIGN_OR_RETURN(std::optional<std::string> image,
                     PlatformImageDigest(m->bytes, Where()));
    if (!image) return *std::move(m);
    next = *std::move(image);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Where(), ": indexes nested too deep"));
}

absl::StatusOr<std::string> RegistryClient::GetBlob(const std::string& digest,
                                                    uint64_t limit) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  HttpResponse r;
  RETURN_IF_ERROR(WithRetries([&]() -> absl::Status {
    HttpRequest req = Request("GET", session_->Url("blobs/" + digest));
    req.limit = limit;
    ASSIGN_OR_RETURN(r, session_->Do(std::move(req)));
    if (r.status != 200) return session_->HttpError("blob " + digest, r);
    return absl::OkStatus();
  }));
  if (Sha256Digest(r.body) != digest) {
    return absl::DataLossError(absl::StrCat(Where(), ": blob ", digest,
                                            " came back with another digest"));
  }
  return std::move(r.body);
}

absl::Status RegistryClient::GetBlobToFile(const std::string& digest,
                                           uint64_t size,
                                           const std::string& path) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  ASSIGN_OR_RETURN(std::unique_ptr<VerifiedFile> out,
                   VerifiedFile::Create(path));
  RETURN_IF_ERROR(WithRetries([&]() -> absl::Status {
    RETURN_IF_ERROR(out->Reset());
    HttpRequest req = Request("GET", session_->Url("blobs/" + digest));
    req.bulk = true;
    req.sink = [&](const char* p, size_t n) {
      // Never more than the descriptor says.
      return out->size() + n <= size && out->Append(absl::string_view(p, n));
    };
    ASSIGN_OR_RETURN(HttpResponse r, session_->Do(std::move(req)));
    if (r.status != 200) return session_->HttpError("blob " + digest, r);
    return absl::OkStatus();
  }));
  if (out->size() != size) {
    return absl::DataLossError(absl::StrCat(Where(), ": blob ", digest,
                                            " came back with ", out->size(),
                                            " bytes, not ", size));
  }
  return out->Commit(digest, absl::StrCat(Where(), ": blob ", digest)).status();
}

absl::StatusOr<bool> RegistryClient::HasBlob(const std::string& digest) {
  ASSIGN_OR_RETURN(
      HttpResponse r,
      session_->Do(Request("HEAD", session_->Url("blobs/" + digest))));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return session_->HttpError("blob " + digest, r);
}

absl::Status RegistryClient::PutBlob(absl::string_view bytes) {
  std::string digest = Sha256Digest(bytes);
  return WithRetries([&]() -> absl::Status {
    ASSIGN_OR_RETURN(bool have, HasBlob(digest));
    if (have) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        HttpResponse r,
        session_->Do(Request("POST", session_->Url("blobs/uploads/"))));
    std::string location = r.header("location");
    if (r.status != 202 || location.empty()) {
      return session_->HttpError("upload", r);
    }
    HttpBody body;
    body.bytes = bytes;
    HttpRequest put =
        Request("PUT", WithDigest(session_->Url(location), digest),
                {"Content-Type: application/octet-stream"});
    put.body = &body;
    ASSIGN_OR_RETURN(r, session_->Do(std::move(put)));
    if (r.status != 201) return session_->HttpError("upload of " + digest, r);
    return absl::OkStatus();
  });
}

absl::Status RegistryClient::PutBlobFile(const std::string& path,
                                         const std::string& digest,
                                         uint64_t size,
                                         const std::string& mount_from) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  }
  absl::Status result = WithRetries([&]() -> absl::Status {
    ASSIGN_OR_RETURN(bool have, HasBlob(digest));
    if (have) return absl::OkStatus();
    std::string start = "blobs/uploads/";
    if (!mount_from.empty() && mount_from != ref_.repository) {
      absl::StrAppend(&start, "?mount=", digest, "&from=", mount_from);
    }
    ASSIGN_OR_RETURN(HttpResponse r,
                     session_->Do(Request("POST", session_->Url(start))));
    if (r.status == 201) {  // mounted from the other repository
      ++mounted_;
      return absl::OkStatus();
    }
    std::string location = r.header("location");
    if (r.status != 202 || location.empty()) {
      return session_->HttpError("upload", r);
    }
    uint64_t offset = 0;
    // Chunks while more than one chunk is left; the rest goes with the PUT.
    while (size - offset > kRegistryChunkBytes) {
      HttpBody chunk{{}, fd, offset, kRegistryChunkBytes};
      HttpRequest patch =
          Request("PATCH", session_->Url(location),
                  {"Content-Type: application/octet-stream",
                   absl::StrCat("Content-Range: ", offset, "-",
                                offset + kRegistryChunkBytes - 1)});
      patch.body = &chunk;
      patch.bulk = true;
      ASSIGN_OR_RETURN(r, session_->Do(std::move(patch)));
      location = r.header("location");
      if (r.status != 202 || location.empty()) {
        return session_->HttpError("chunk upload of " + digest, r);
      }
      offset += kRegistryChunkBytes;
    }
    HttpBody rest{{}, fd, offset, size - offset};
    HttpRequest put =
        Request("PUT", WithDigest(session_->Url(location), digest),
                {"Content-Type: application/octet-stream"});
    put.body = &rest;
    put.bulk = true;
    ASSIGN_OR_RETURN(r, session_->Do(std::move(put)));
    if (r.status == 400 && absl::StrContains(r.body, "DIGEST_INVALID")) {
      return absl::DataLossError(absl::StrCat(
          Where(), ": the registry computed another digest than ", digest,
          " for '", path, "' (the file changed or is corrupt)"));
    }
    if (r.status != 201) return session_->HttpError("upload of " + digest, r);
    return absl::OkStatus();
  });
  close(fd);
  return result;
}

absl::Status RegistryClient::PutManifest(const std::string& reference,
                                         absl::string_view bytes,
                                         const std::string& media_type) {
  return WithRetries([&]() -> absl::Status {
    HttpBody body;
    body.bytes = bytes;
    HttpRequest put = Request("PUT", session_->Url("manifests/" + reference),
                              {"Content-Type: " + media_type});
    put.body = &body;
    ASSIGN_OR_RETURN(HttpResponse r, session_->Do(std::move(put)));
    if (r.status != 201 && r.status != 200) {
      return session_->HttpError("manifest " + reference, r);
    }
    return absl::OkStatus();
  });
}

}  // namespace dso
