#include "stages/net/http.h"

#include <unistd.h>

#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "stages/net/internal/curl_api.h"

namespace dso {
namespace {

struct Exchange {
  const HttpRequest* request;
  HttpResponse* response;
};

size_t OnRead(char* out, size_t size, size_t n, void* user) {
  auto* b = static_cast<HttpBody*>(user);
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

size_t OnBody(char* p, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  HttpResponse* r = x->response;
  size_t len = size * n;
  bool ok_answer = r->status == 0 || (r->status >= 200 && r->status < 300);
  if (!ok_answer) {  // an error page: keep a little
    if (r->body.size() < 4096) r->body.append(p, std::min<size_t>(len, 4096));
    return len;
  }
  if (x->request->sink) return x->request->sink(p, len) ? len : 0;
  if (r->body.size() + len > x->request->limit) {
    r->too_large = true;
    return 0;
  }
  r->body.append(p, len);
  return len;
}

size_t OnHeader(char* p, size_t size, size_t n, void* user) {
  auto* r = static_cast<Exchange*>(user)->response;
  absl::string_view line(p, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after a redirect or 100): its status comes from the
    // line, the headers are this response's.
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    if (parts.size() >= 2) r->status = std::atol(std::string(parts[1]).c_str());
    r->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return size * n;
  r->headers[absl::AsciiStrToLower(line.substr(0, colon))] =
      std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  return size * n;
}

}  // namespace

absl::StatusOr<HttpResponse> HttpPerform(const HttpRequest& req,
                                         absl::string_view what) {
  absl::StatusOr<const CurlApi*> loaded = Curl();
  if (!loaded.ok()) return loaded.status();
  const CurlApi& curl = **loaded;
  std::unique_ptr<CURL, decltype(curl.easy_cleanup)> c(curl.easy_init(),
                                                       curl.easy_cleanup);
  if (!c) return absl::InternalError("libcurl failed to start");
  curl_slist* headers = nullptr;
  for (const std::string& h : req.headers) {
    headers = curl.slist_append(headers, h.c_str());
  }
  headers = curl.slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(curl.slist_free_all)> free_headers(
      headers, curl.slist_free_all);
  curl_slist* quote = nullptr;
  for (const std::string& q : req.ftp_post_quote) {
    quote = curl.slist_append(quote, q.c_str());
  }
  std::unique_ptr<curl_slist, decltype(curl.slist_free_all)> free_quote(
      quote, curl.slist_free_all);
  HttpResponse response;
  Exchange x{&req, &response};
  char error[CURL_ERROR_SIZE] = "";
  CURL* h = c.get();
  curl.easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
  curl.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  if (quote) curl.easy_setopt(h, CURLOPT_POSTQUOTE, quote);
  if (absl::StartsWith(req.url, "ftp")) {
    curl.easy_setopt(h, CURLOPT_FTP_CREATE_MISSING_DIRS,
                     static_cast<long>(CURLFTP_CREATE_DIR_RETRY));
    if (req.ftp_tls) {
      curl.easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    }
  }
  if (req.method == "HEAD") curl.easy_setopt(h, CURLOPT_NOBODY, 1L);
  static HttpBody kEmpty;
  HttpBody* body = req.body ? req.body : &kEmpty;
  body->sent = 0;
  if (req.method == "POST" && body->size() == 0) {
    curl.easy_setopt(h, CURLOPT_POST, 1L);
    curl.easy_setopt(h, CURLOPT_POSTFIELDS, "");
    curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
  } else if (req.method == "POST" && body->fd < 0) {
    curl.easy_setopt(h, CURLOPT_POST, 1L);
    curl.easy_setopt(h, CURLOPT_POSTFIELDS, body->bytes.data());
    curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body->size()));
  } else if (req.method == "PUT" || req.method == "PATCH" ||
             req.method == "POST") {
    curl.easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl.easy_setopt(h, CURLOPT_READFUNCTION, OnRead);
    curl.easy_setopt(h, CURLOPT_READDATA, body);
    curl.easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(body->size()));
  }
  if (req.method != "GET" && req.method != "HEAD" &&
      !absl::StartsWith(req.url, "ftp")) {
    curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  long seconds = static_cast<long>(absl::ToInt64Seconds(req.timeout));
  if (req.bulk) {
    curl.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, seconds);
  } else {
    curl.easy_setopt(h, CURLOPT_TIMEOUT, seconds);
  }
  if (!req.aws_sigv4.empty()) {
    curl.easy_setopt(h, CURLOPT_AWS_SIGV4, req.aws_sigv4.c_str());
  }
  if (!req.userpwd.empty()) {
    curl.easy_setopt(h, CURLOPT_USERPWD, req.userpwd.c_str());
  }
  if (req.insecure_tls) {
    curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(h, CURLOPT_USERAGENT, "dso/0.1");
  curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl.easy_setopt(h, CURLOPT_WRITEDATA, &x);
  curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl.easy_setopt(h, CURLOPT_HEADERDATA, &x);
  curl.easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl.easy_perform(h);
  if (rc == CURLE_WRITE_ERROR && response.too_large) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": an answer larger than ", req.limit, " bytes"));
  }
  long code = 0;
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_LOGIN_DENIED || rc == CURLE_REMOTE_ACCESS_DENIED) {
    return absl::PermissionDeniedError(absl::StrCat(
        what, ": access denied: ", *error ? error : curl.easy_strerror(rc)));
  }
  if (rc == CURLE_REMOTE_FILE_NOT_FOUND) {
    return absl::NotFoundError(absl::StrCat(what, ": no such file"));
  }
  if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
    return absl::UnavailableError(absl::StrCat(
        what, " is unreachable: ", *error ? error : curl.easy_strerror(rc)));
  }
  response.status = code;
  return response;
}

absl::Status WithRetries(const std::function<absl::Status()>& fn) {
  absl::Duration pause = absl::Milliseconds(250);
  for (int attempt = 0;; ++attempt) {
    absl::Status s = fn();
    if (s.code() != absl::StatusCode::kUnavailable || attempt == 2) return s;
    absl::SleepFor(pause);
    pause *= 4;
  }
}

absl::StatusOr<HttpResponse> HttpPerformRetried(const HttpRequest& request,
                                                absl::string_view what) {
  HttpResponse r;
  absl::Status s = WithRetries([&]() -> absl::Status {
    absl::StatusOr<HttpResponse> got = HttpPerform(request, what);
    if (!got.ok()) return got.status();
    r = *std::move(got);
    if (r.status >= 500 || r.status == 429) return HttpStatusError(what, r);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return r;
}

absl::Status HttpStatusError(absl::string_view what, const HttpResponse& r) {
  std::string detail(absl::StripAsciiWhitespace(r.body.substr(0, 300)));
  std::string text = absl::StrCat(what, ": HTTP ", r.status,
                                  detail.empty() ? "" : ": ", detail);
  if (r.status == 404) return absl::NotFoundError(text);
  if (r.status == 401 || r.status == 403) {
    return absl::PermissionDeniedError(text);
  }
  if (r.status >= 500 || r.status == 429 || r.status < 100) {
    return absl::UnavailableError(text);
  }
  return absl::FailedPreconditionError(text);
}

}  // namespace dso
