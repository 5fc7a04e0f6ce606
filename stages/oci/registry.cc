#include "stages/oci/registry.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "stages/core/atomic_file.h"
#include "stages/core/fd_io.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/oci/oci_layout.h"

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

std::string Base64(absl::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(n);
  return out;
}

// One HTTP exchange.
struct Fetch {
  long status = 0;
  std::string body;
  std::string www_authenticate, content_type;
  // Bytes go here instead of `body` when set; false aborts the transfer.
  std::function<bool(const char*, size_t)> sink;
  uint64_t limit = 0;
  bool too_large = false;
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
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return size * n;
  std::string name = absl::AsciiStrToLower(line.substr(0, colon));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  if (name == "www-authenticate") f->www_authenticate = value;
  if (name == "content-type") f->content_type = value;
  return size * n;
}

class Session {
 public:
  Session(RegistryRef ref, RegistryOptions options)
      : ref_(std::move(ref)), o_(std::move(options)) {
    base_ = absl::StrCat(
        o_.plain_http || IsLoopback(ref_.registry) ? "http://" : "https://",
        ref_.registry, "/v2/", ref_.repository, "/");
  }

  // GET base + path, authenticating once when the registry asks.
  absl::Status Get(const std::string& path, const std::string& accept,
                   Fetch* f) {
    RETURN_IF_ERROR(Perform(base_ + path, accept, auth_, f));
    if (f->status == 401 && !authenticated_) {
      authenticated_ = true;
      RETURN_IF_ERROR(Authenticate(f->www_authenticate));
      Fetch again;
      again.sink = f->sink;
      again.limit = f->limit;
      *f = std::move(again);
      RETURN_IF_ERROR(Perform(base_ + path, accept, auth_, f));
    }
    if (f->status == 401 || f->status == 403) {
      return absl::PermissionDeniedError(
          absl::StrCat(Where(), ": access denied (HTTP ", f->status, ")",
                       CredentialsHint()));
    }
    return absl::OkStatus();
  }

  std::string Where() const { return ref_.ToString(); }

 private:
  std::string CredentialsHint() const {
    return absl::StrCat(o_.username.empty() ? "; set" : "; check",
                        " DSO_REGISTRY_USERNAME and DSO_REGISTRY_PASSWORD");
  }

  absl::Status Perform(const std::string& url, const std::string& accept,
                       const std::string& auth, Fetch* f) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(),
                                                          curl_easy_cleanup);
    if (!c) return absl::InternalError("libcurl failed to start");
    curl_slist* headers = nullptr;
    if (!accept.empty()) headers = curl_slist_append(headers, accept.c_str());
    if (!auth.empty()) headers = curl_slist_append(headers, auth.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> free_headers(
        headers, curl_slist_free_all);
    char error[CURL_ERROR_SIZE] = "";
    CURL* h = c.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    // A blob may take long; a stall may not.
    long seconds = static_cast<long>(absl::ToInt64Seconds(o_.timeout));
    if (f->sink) {
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
      return absl::InvalidArgumentError(
          absl::StrCat(Where(), ": a manifest larger than ",
                       o_.max_manifest_bytes, " bytes"));
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
      basic = Base64(absl::StrCat(o_.username, ":", o_.password));
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
    std::map<std::string, std::string> params;
    absl::string_view rest = absl::string_view(challenge).substr(6);
    // key="value" pairs; values may hold commas (scopes).
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
    RETURN_IF_ERROR(Perform(
        url, "", basic.empty() ? "" : "Authorization: Basic " + basic, &token));
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
  std::string base_;
  std::string auth_;
  bool authenticated_ = false;
};

absl::Status HttpError(const Session& s, const std::string& what,
                       const Fetch& f) {
  if (f.status == 404) {
    return absl::NotFoundError(
        absl::StrCat(s.Where(), ": no such ", what, " in the registry"));
  }
  return absl::UnavailableError(absl::StrCat(
      s.Where(), ": the registry answered HTTP ", f.status, " for the ", what));
}

// The manifest `reference` names, resolved through an index to
// linux/amd64; its bytes and digest.
absl::Status FetchManifest(Session& s, const RegistryRef& ref,
                           const RegistryOptions& o, std::string* bytes,
                           std::string* digest, std::string* type) {
  std::string reference = ref.reference;
  for (int depth = 0; depth < 3; ++depth) {
    Fetch f;
    f.limit = o.max_manifest_bytes;
    RETURN_IF_ERROR(s.Get("manifests/" + reference, kAccept, &f));
    if (f.status != 200) return HttpError(s, "manifest", f);
    *digest = Sha256Digest(f.body);
    if (absl::StartsWith(reference, "sha256:") && *digest != reference) {
      return absl::DataLossError(absl::StrCat(
          s.Where(), ": the manifest does not match its digest ", reference));
    }
    json m = json::parse(f.body, nullptr, false);
    if (!m.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.Where(), ": the manifest is not JSON"));
    }
    *type = m.value("mediaType",
                    f.content_type.substr(0, f.content_type.find(';')));
    if (m.contains("manifests")) {
      std::string next;
      for (const json& d : m["manifests"]) {
        if (d.value(json::json_pointer("/platform/os"), "") == "linux" &&
            d.value(json::json_pointer("/platform/architecture"), "") ==
                "amd64") {
          next = d.value("digest", "");
          break;
        }
      }
      if (!ParseSha256Digest(next).ok()) {
        return absl::NotFoundError(
            absl::StrCat(s.Where(), ": no linux/amd64 image in its index"));
      }
      reference = next;
      continue;
    }
    *bytes = std::move(f.body);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(s.Where(), ": indexes nested too deep"));
}

// Streams a blob into the layout, checking its size and digest.
absl::Status FetchBlob(Session& s, const OciLayoutWriter& out,
                       const std::string& digest, uint64_t size) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  std::string tmp = out.BlobPath(digest) + ".part";
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
  absl::Status st = s.Get("blobs/" + digest, "", &f);
  bool synced = fsync(fd) == 0;
  close(fd);
  std::error_code ec;
  if (st.ok() && f.status != 200) st = HttpError(s, "blob " + digest, f);
  if (st.ok() && write_failed) {
    st = absl::ResourceExhaustedError(absl::StrCat("cannot write '", tmp, "'"));
  }
  if (st.ok() && (got != size || hash.Finish() != digest || !synced)) {
    st = absl::DataLossError(
        absl::StrCat(s.Where(), ": blob ", digest, " came back with ", got,
                     " bytes and another digest (", size, " bytes expected)"));
  }
  if (!st.ok()) {
    fs::remove(tmp, ec);
    return st;
  }
  fs::rename(tmp, out.BlobPath(digest), ec);
  if (ec) return absl::PermissionDeniedError(ec.message());
  return absl::OkStatus();
}

}  // namespace

std::string RegistryRef::ToString() const {
  return absl::StrCat(registry, "/", repository,
                      absl::StartsWith(reference, "sha256:") ? "@" : ":",
                      reference);
}

absl::StatusOr<RegistryRef> ParseRegistryRef(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("image reference '", text, "': ", why));
  };
  if (text.empty() ||
      text.find_first_of(" \t\n\\") != absl::string_view::npos) {
    return bad("not a reference");
  }
  RegistryRef r;
  absl::string_view rest = text;
  size_t slash = rest.find('/');
  absl::string_view first = rest.substr(0, slash);
  if (slash != absl::string_view::npos &&
      (first.find_first_of(".:") != absl::string_view::npos ||
       first == "localhost")) {
    r.registry = std::string(first);
    rest.remove_prefix(slash + 1);
  } else {
    r.registry = "registry-1.docker.io";
  }
  if (r.registry == "docker.io" || r.registry == "index.docker.io") {
    r.registry = "registry-1.docker.io";
  }
  size_t at = rest.find('@');
  if (at != absl::string_view::npos) {
    r.reference = std::string(rest.substr(at + 1));
    if (!ParseSha256Digest(r.reference).ok()) return bad("not a sha256 digest");
    rest = rest.substr(0, at);
  } else {
    size_t colon = rest.rfind(':');
    if (colon != absl::string_view::npos &&
        rest.find('/', colon) == absl::string_view::npos) {
      r.reference = std::string(rest.substr(colon + 1));
      rest = rest.substr(0, colon);
    } else {
      r.reference = "latest";
    }
  }
  if (rest.empty() || absl::StrContains(rest, "..") ||
      absl::StrContains(rest, "//") || rest.front() == '/' ||
      rest.back() == '/' ||
      rest.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-/") !=
          absl::string_view::npos) {
    return bad(
        "the repository name must be lower case letters, digits, "
        "'.', '_', '-' and '/'");
  }
  r.repository = std::string(rest);
  if (r.registry == "registry-1.docker.io" && !absl::StrContains(rest, "/")) {
    r.repository = absl::StrCat("library/", rest);
  }
  if (r.reference.empty() ||
      r.reference.find_first_of("/ ") != std::string::npos) {
    return bad("empty or malformed tag");
  }
  return r;
}

absl::Status PullImage(const RegistryRef& ref, const RegistryOptions& options,
                       const std::string& dir) {
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;
  if (!curl_ready) return absl::InternalError("libcurl failed to initialise");
  Session s(ref, options);
  std::string bytes, digest, type;
  RETURN_IF_ERROR(FetchManifest(s, ref, options, &bytes, &digest, &type));
  json m = json::parse(bytes, nullptr, false);
  if (!m.contains("config") || !m.contains("layers") ||
      !m["layers"].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(s.Where(), ": the manifest has no config or layers"));
  }
  ASSIGN_OR_RETURN(OciLayoutWriter out, OciLayoutWriter::Create(dir));
  std::vector<json> blobs = {m["config"]};
  for (const json& l : m["layers"]) blobs.push_back(l);
  for (const json& d : blobs) {
    if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string() ||
        !d.contains("size") || !d["size"].is_number_unsigned()) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.Where(), ": a descriptor without digest or size"));
    }
    RETURN_IF_ERROR(FetchBlob(s, out, d["digest"].get<std::string>(),
                              d["size"].get<uint64_t>()));
  }
  ASSIGN_OR_RETURN(BlobRef manifest, out.PutBytes(bytes, type));
  return out.WriteIndex(manifest, ref.reference);
}

}  // namespace dso
