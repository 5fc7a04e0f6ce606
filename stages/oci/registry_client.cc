#include "stages/oci/registry_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
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
#include "nlohmann/json.hpp"
#include "stages/core/fd_io.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

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

// A request body: bytes in memory, or a range of a file.
struct Body {
  absl::string_view bytes;
  int fd = -1;
  uint64_t offset = 0, length = 0;
  uint64_t sent = 0;
  uint64_t size() const { return fd >= 0 ? length : bytes.size(); }
};

size_t OnRead(char* out, size_t size, size_t n, void* user) {
  auto* b = static_cast<Body*>(user);
  size_t want = std::min<uint64_t>(size * n, b->size() - b->sent);
  if (want == 0) return 0;
  if (b->fd < 0) {
    memcpy(out, b->bytes.data() + b->sent, want);
  } else {
    ssize_t got = pread(b->fd, out, want, b->offset + b->sent);
    if (got <= 0) return CURL_READFUNC_ABORT;
    want = got;
  }
  b->sent += want;
  return want;
}

// One HTTP exchange's answer.
struct Fetch {
  long status = 0;
  std::string body;
  std::string www_authenticate, content_type, location;
  // Bytes go here instead of `body` when set; false aborts the transfer.
  std::function<bool(const char*, size_t)> sink;
  uint64_t limit = 64 << 10;
  bool too_large = false;
  void Reset() {
    status = 0;
    body.clear();
    www_authenticate.clear();
    content_type.clear();
    location.clear();
    too_large = false;
  }
};

size_t OnBody(char* p, size_t size, size_t n, void* user) {
  auto* f = static_cast<Fetch*>(user);
  size_t len = size * n;
  if (f->status == 0 || f->status >= 300) {  // an error page: keep a little
    if (f->body.size() < 4096) f->body.append(p, std::min<size_t>(len, 4096));
    return len;
  }
  if (f->sink) return f->sink(p, len) ? len : 0;
  if (f->body.size() + len > f->limit) {
    f->too_large = true;
    return 0;
  }
  f->body.append(p, len);
  return len;
}

size_t OnHeader(char* p, size_t size, size_t n, void* user) {
  auto* f = static_cast<Fetch*>(user);
  absl::string_view line(p, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after a redirect or 100): its status comes from
    // the line, the headers are this response's.
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    if (parts.size() >= 2) f->status = std::atol(std::string(parts[1]).c_str());
    f->www_authenticate.clear();
    f->location.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return size * n;
  std::string name = absl::AsciiStrToLower(line.substr(0, colon));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  if (name == "www-authenticate") f->www_authenticate = value;
  if (name == "content-type") f->content_type = value;
  if (name == "location") f->location = value;
  return size * n;
}

// key="value" pairs of a Bearer challenge; values may hold commas.
std::map<std::string, std::string> ChallengeParams(absl::string_view rest) {
  std::map<std::string, std::string> params;
  while (!rest.empty()) {
    rest = absl::StripLeadingAsciiWhitespace(rest);
    size_t eq = rest.find('=');
    if (eq == absl::string_view::npos) break;
    std::string key =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(rest.substr(0, eq)));
    rest.remove_prefix(eq + 1);
    std::string value;
    if (absl::ConsumePrefix(&rest, "\"")) {
      size_t end = rest.find('"');
      value = std::string(rest.substr(0, end));
      rest.remove_prefix(end == absl::string_view::npos ? rest.size()
                                                        : end + 1);
    } else {
      size_t end = rest.find(',');
      value = std::string(rest.substr(0, end));
      rest.remove_prefix(end == absl::string_view::npos ? rest.size() : end);
    }
    params[key] = value;
    absl::ConsumePrefix(&rest, ",");
  }
  return params;
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
  absl::Status Do(const std::string& method, const std::string& url,
                  std::vector<std::string> headers, Body* body, Fetch* f) {
    for (int attempt = 0;; ++attempt) {
      if (body) body->sent = 0;
      f->Reset();
      RETURN_IF_ERROR(Perform(method, url, headers, body, f));
      if (f->status != 401 || attempt > 0 || f->www_authenticate == answered_) {
        break;
      }
      answered_ = f->www_authenticate;
      RETURN_IF_ERROR(Authenticate(f->www_authenticate));
    }
    if (f->status == 401 || f->status == 403) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": access denied (HTTP ", f->status, ") for ",
                       method, CredentialsHint()));
    }
    return absl::OkStatus();
  }

  absl::Status HttpError(const std::string& what, const Fetch& f) const {
    if (f.status == 404) {
      return absl::NotFoundError(
          absl::StrCat(Where(), ": no such ", what, " in the registry"));
    }
    std::string detail(absl::StripAsciiWhitespace(f.body.substr(0, 300)));
    std::string text =
        absl::StrCat(Where(), ": the registry answered HTTP ", f.status,
                     " for the ", what, detail.empty() ? "" : ": ", detail);
    // Busy or broken servers may recover (retried); a refusal will not.
    if (f.status >= 500 || f.status == 429 || f.status < 100) {
      return absl::UnavailableError(text);
    }
    return absl::FailedPreconditionError(text);
  }

 private:
  std::string CredentialsHint() const {
    return absl::StrCat(o_.username.empty() ? "; set" : "; check",
                        " DSO_REGISTRY_USERNAME and DSO_REGISTRY_PASSWORD");
  }

  absl::Status Perform(const std::string& method, const std::string& url,
                       const std::vector<std::string>& extra, Body* body,
                       Fetch* f) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(),
                                                          curl_easy_cleanup);
    if (!c) return absl::InternalError("libcurl failed to start");
    curl_slist* headers = nullptr;
    for (const std::string& h : extra) {
      headers = curl_slist_append(headers, h.c_str());
    }
    if (!auth_.empty()) headers = curl_slist_append(headers, auth_.c_str());
    headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> free_headers(
        headers, curl_slist_free_all);
    char error[CURL_ERROR_SIZE] = "";
    CURL* h = c.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    bool read_only = method == "GET" || method == "HEAD";
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, read_only ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    if (method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (method == "POST") {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    if (method == "PUT" || method == "PATCH") {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
      static Body kEmpty;
      Body* b = body ? body : &kEmpty;
      curl_easy_setopt(h, CURLOPT_READFUNCTION, OnRead);
      curl_easy_setopt(h, CURLOPT_READDATA, b);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(b->size()));
    }
    // Bulk transfers may take long; a stall may not.
    long seconds = static_cast<long>(absl::ToInt64Seconds(o_.timeout));
    if (f->sink || (body && body->size() > (1 << 20))) {
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, seconds);
    } else {
      curl_easy_setopt(h, CURLOPT_TIMEOUT, seconds);
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "dso/0.1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_WRITE_ERROR && f->too_large) {
      return absl::InvalidArgumentError(absl::StrCat(
          Where(), ": an answer larger than ", f->limit, " bytes"));
    }
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
      return absl::UnavailableError(absl::StrCat(
          "registry ", ref_.registry,
          " is unreachable: ", *error ? error : curl_easy_strerror(rc)));
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    f->status = code;
    return absl::OkStatus();
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
        ChallengeParams(absl::string_view(challenge).substr(6));
    if (params["realm"].empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": a Bearer challenge without a realm"));
    }
    std::string scope =
        params.count("scope")
            ? params["scope"]
            : absl::StrCat("repository:", ref_.repository, ":pull");
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> esc(curl_easy_init(),
                                                            curl_easy_cleanup);
    auto escape = [&](const std::string& s) {
      char* e =
          curl_easy_escape(esc.get(), s.c_str(), static_cast<int>(s.size()));
      std::string out = e ? e : "";
      curl_free(e);
      return out;
    };
    std::string url = absl::StrCat(
        params["realm"],
        params["realm"].find('?') == std::string::npos ? "?" : "&",
        "service=", escape(params["service"]), "&scope=", escape(scope));
    Fetch token;
    token.limit = 1 << 20;
    std::vector<std::string> headers;
    if (!basic.empty()) headers.push_back("Authorization: Basic " + basic);
    std::string saved = std::move(auth_);
    auth_.clear();
    absl::Status s = Perform("GET", url, headers, nullptr, &token);
    auth_ = std::move(saved);
    RETURN_IF_ERROR(s);
    if (token.status != 200) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": the token service refused (HTTP ",
                       token.status, ")", CredentialsHint()));
    }
    json j = json::parse(token.body, nullptr, false);
    std::string t =
        j.is_object() ? j.value("token", j.value("access_token", "")) : "";
    if (t.empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": the token service sent no token"));
    }
    auth_ = "Authorization: Bearer " + t;
    return absl::OkStatus();
  }

  RegistryRef ref_;
  RegistryOptions o_;
  std::string origin_, base_;
  std::string auth_;
  std::string answered_;  // the last challenge answered
};

namespace {

// Runs `fn` again after a pause when it fails with UNAVAILABLE (the
// registry unreachable or answering 5xx), twice at most.
absl::Status WithRetries(const std::function<absl::Status()>& fn) {
  absl::Duration pause = absl::Milliseconds(250);
  for (int attempt = 0;; ++attempt) {
    absl::Status s = fn();
    if (s.code() != absl::StatusCode::kUnavailable || attempt == 2) return s;
    absl::SleepFor(pause);
    pause *= 4;
  }
}

}  // namespace

RegistryClient::RegistryClient(RegistryRef ref, RegistryOptions options)
    : ref_(ref),
      session_(std::make_unique<Session>(std::move(ref), std::move(options))) {
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
  (void)curl_ready;
}

RegistryClient::~RegistryClient() = default;

absl::StatusOr<std::optional<RegistryManifest>> RegistryClient::GetManifest(
    const std::string& reference) {
  Fetch f;
  f.limit = session_->options().max_manifest_bytes;
  RETURN_IF_ERROR(WithRetries([&] {
    RETURN_IF_ERROR(session_->Do("GET", session_->Url("manifests/" + reference),
                                 {kAccept}, nullptr, &f));
    if (f.status >= 500 || f.status == 429) {
      return session_->HttpError("manifest", f);
    }
    return absl::OkStatus();
  }));
  if (f.status == 404) return std::optional<RegistryManifest>();
  if (f.status != 200) return session_->HttpError("manifest", f);
  RegistryManifest m;
  m.digest = Sha256Digest(f.body);
  if (absl::StartsWith(reference, "sha256:") && m.digest != reference) {
    return absl::DataLossError(absl::StrCat(
        Where(), ": the manifest does not match its digest ", reference));
  }
  json j = json::parse(f.body, nullptr, false);
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(), ": the manifest ", reference, " is not JSON"));
  }
  m.media_type =
      j.value("mediaType", f.content_type.substr(0, f.content_type.find(';')));
  m.bytes = std::move(f.body);
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
    json j = json::parse(m->bytes, nullptr, false);
    if (!j.contains("manifests")) return *std::move(m);
    next.clear();
    for (const json& d : j["manifests"]) {
      if (d.value(json::json_pointer("/platform/os"), "") == "linux" &&
          d.value(json::json_pointer("/platform/architecture"), "") ==
              "amd64") {
        next = d.value("digest", "");
        break;
      }
    }
    if (!ParseSha256Digest(next).ok()) {
      return absl::NotFoundError(
          absl::StrCat(Where(), ": no linux/amd64 image in its index"));
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Where(), ": indexes nested too deep"));
}

absl::StatusOr<std::string> RegistryClient::GetBlob(const std::string& digest,
                                                    uint64_t limit) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  Fetch f;
  f.limit = limit;
  RETURN_IF_ERROR(WithRetries([&] {
    RETURN_IF_ERROR(
        session_->Do("GET", session_->Url("blobs/" + digest), {}, nullptr, &f));
    if (f.status != 200) return session_->HttpError("blob " + digest, f);
    return absl::OkStatus();
  }));
  if (Sha256Digest(f.body) != digest) {
    return absl::DataLossError(absl::StrCat(Where(), ": blob ", digest,
                                            " came back with another digest"));
  }
  return std::move(f.body);
}

absl::Status RegistryClient::GetBlobToFile(const std::string& digest,
                                           uint64_t size,
                                           const std::string& path) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  std::string tmp = path + ".part";
  return WithRetries([&]() -> absl::Status {
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot create '", tmp, "'"));
    }
    Sha256 hash;
    uint64_t got = 0;
    bool write_failed = false;
    Fetch f;
    f.sink = [&](const char* p, size_t n) {
      got += n;
      if (got > size) return false;  // more than the descriptor says
      hash.Update(absl::string_view(p, n));
      if (!WriteAll(fd, absl::string_view(p, n))) write_failed = true;
      return !write_failed;
    };
    absl::Status st =
        session_->Do("GET", session_->Url("blobs/" + digest), {}, nullptr, &f);
    bool synced = fsync(fd) == 0;
    close(fd);
    std::error_code ec;
    if (st.ok() && f.status != 200)
      st = session_->HttpError("blob " + digest, f);
    if (st.ok() && write_failed) {
      st = absl::ResourceExhaustedError(
          absl::StrCat("cannot write '", tmp, "'"));
    }
    if (st.ok() && (got != size || hash.Finish() != digest || !synced)) {
      st = absl::DataLossError(absl::StrCat(
          Where(), ": blob ", digest, " came back with ", got,
          " bytes and another digest (", size, " bytes expected)"));
    }
    if (!st.ok()) {
      fs::remove(tmp, ec);
      return st;
    }
    fs::rename(tmp, path, ec);
    if (ec) return absl::PermissionDeniedError(ec.message());
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> RegistryClient::HasBlob(const std::string& digest) {
  Fetch f;
  RETURN_IF_ERROR(
      session_->Do("HEAD", session_->Url("blobs/" + digest), {}, nullptr, &f));
  if (f.status == 200) return true;
  if (f.status == 404) return false;
  return session_->HttpError("blob " + digest, f);
}

absl::Status RegistryClient::PutBlob(absl::string_view bytes) {
  std::string digest = Sha256Digest(bytes);
  return WithRetries([&]() -> absl::Status {
    ASSIGN_OR_RETURN(bool have, HasBlob(digest));
    if (have) return absl::OkStatus();
    Fetch f;
    RETURN_IF_ERROR(
        session_->Do("POST", session_->Url("blobs/uploads/"), {}, nullptr, &f));
    if (f.status != 202 || f.location.empty()) {
      return session_->HttpError("upload", f);
    }
    std::string url = session_->Url(f.location);
    absl::StrAppend(&url, url.find('?') == std::string::npos ? "?" : "&",
                    "digest=", digest);
    Body body;
    body.bytes = bytes;
    RETURN_IF_ERROR(session_->Do(
        "PUT", url, {"Content-Type: application/octet-stream"}, &body, &f));
    if (f.status != 201) return session_->HttpError("upload of " + digest, f);
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
    Fetch f;
    std::string start = "blobs/uploads/";
    if (!mount_from.empty() && mount_from != ref_.repository) {
      absl::StrAppend(&start, "?mount=", digest, "&from=", mount_from);
    }
    RETURN_IF_ERROR(
        session_->Do("POST", session_->Url(start), {}, nullptr, &f));
    if (f.status == 201) {  // mounted from the other repository
      ++mounted_;
      return absl::OkStatus();
    }
    if (f.status != 202 || f.location.empty()) {
      return session_->HttpError("upload", f);
    }
    std::string location = f.location;
    uint64_t offset = 0;
    // Chunks while more than one chunk is left; the rest goes with the PUT.
    while (size - offset > kRegistryChunkBytes) {
      Body chunk{{}, fd, offset, kRegistryChunkBytes};
      RETURN_IF_ERROR(
          session_->Do("PATCH", session_->Url(location),
                       {"Content-Type: application/octet-stream",
                        absl::StrCat("Content-Range: ", offset, "-",
                                     offset + kRegistryChunkBytes - 1)},
                       &chunk, &f));
      if (f.status != 202 || f.location.empty()) {
        return session_->HttpError("chunk upload of " + digest, f);
      }
      location = f.location;
      offset += kRegistryChunkBytes;
    }
    std::string url = session_->Url(location);
    absl::StrAppend(&url, url.find('?') == std::string::npos ? "?" : "&",
                    "digest=", digest);
    Body rest{{}, fd, offset, size - offset};
    RETURN_IF_ERROR(session_->Do(
        "PUT", url, {"Content-Type: application/octet-stream"}, &rest, &f));
    if (f.status == 400 && absl::StrContains(f.body, "DIGEST_INVALID")) {
      return absl::DataLossError(absl::StrCat(
          Where(), ": the registry computed another digest than ", digest,
          " for '", path, "' (the file changed or is corrupt)"));
    }
    if (f.status != 201) return session_->HttpError("upload of " + digest, f);
    return absl::OkStatus();
  });
  close(fd);
  return result;
}

absl::Status RegistryClient::PutManifest(const std::string& reference,
                                         absl::string_view bytes,
                                         const std::string& media_type) {
  return WithRetries([&]() -> absl::Status {
    Fetch f;
    Body body;
    body.bytes = bytes;
    RETURN_IF_ERROR(session_->Do("PUT", session_->Url("manifests/" + reference),
                                 {"Content-Type: " + media_type}, &body, &f));
    if (f.status != 201 && f.status != 200) {
      return session_->HttpError("manifest " + reference, f);
    }
    return absl::OkStatus();
  });
}

}  // namespace dso
