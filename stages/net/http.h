// One HTTP(S) or FTP(S) exchange through libcurl, for the clients that talk
// to registries, object stores and key services: a body from memory or a
// file range, answers kept in memory (bounded) or streamed to a sink,
// response headers by lower-case name, deadlines (a total timeout, or a
// stall limit for bulk transfers), AWS SigV4 or user:password auth.
// Transport failures are UNAVAILABLE naming `what`; HTTP statuses are the
// caller's to judge.
#ifndef DSO_STAGES_NET_HTTP_H_
#define DSO_STAGES_NET_HTTP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "stages/core/percent_encoding.h"

namespace dso {

// A request body: bytes in memory, or `length` bytes of `fd` from `offset`.
struct HttpBody {
  absl::string_view bytes;
  int fd = -1;
  uint64_t offset = 0, length = 0;
  uint64_t sent = 0;  // progress, reset by HttpPerform
  uint64_t size() const { return fd >= 0 ? length : bytes.size(); }
};

struct HttpRequest {
  std::string method = "GET";  // GET HEAD POST PUT PATCH DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  HttpBody* body = nullptr;          // PUT/PATCH/POST payload
  // Bytes of a 2xx answer go here instead of the response; false aborts.
  std::function<bool(const char*, size_t)> sink;
  uint64_t limit = 64 << 10;  // answer bytes kept without a sink
  absl::Duration timeout = absl::Seconds(60);
  bool bulk = false;  // a long transfer: `timeout` bounds stalls, not total
  bool follow_redirects = false;
  std::string aws_sigv4;  // "aws:amz:REGION:SERVICE"
  std::string userpwd;    // "user:password" (SigV4 or basic)
  bool insecure_tls = false;
  std::vector<std::string> ftp_post_quote;  // FTP commands after a transfer
  bool ftp_tls = false;  // FTP: require TLS (explicit, AUTH TLS)
};

struct HttpResponse {
  long status = 0;
  std::string body;                            // error pages: the first 4 KiB
  std::map<std::string, std::string> headers;  // lower-case names, last wins
  bool too_large = false;  // more than `limit` bytes (the answer is cut)
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

absl::StatusOr<HttpResponse> HttpPerform(const HttpRequest& request,
                                         absl::string_view what);

// HttpPerform, again after a pause (as WithRetries) while the server is
// unreachable, busy (429) or failing (5xx); any other answer is returned as
// it is, for the caller to judge.
absl::StatusOr<HttpResponse> HttpPerformRetried(const HttpRequest& request,
                                                absl::string_view what);

// Runs `fn` again after a pause (250 ms, then 1 s) while it fails with
// UNAVAILABLE: a server unreachable, busy or answering 5xx.
absl::Status WithRetries(const std::function<absl::Status()>& fn);

// The status for an unexpected HTTP answer: 404 NOT_FOUND, 401/403
// PERMISSION_DENIED, 5xx and 429 UNAVAILABLE (retried), other
// FAILED_PRECONDITION; the message names `what` and quotes the answer.
absl::Status HttpStatusError(absl::string_view what, const HttpResponse& r);

}  // namespace dso

#endif  // DSO_STAGES_NET_HTTP_H_
