// s3://BUCKET/KEY on AWS S3 or an S3-compatible server: requests signed
// with SigV4 by libcurl, the payload's SHA-256 sent with every request (the
// server refuses bytes that do not match), the file's digest recorded as
// the object's metadata x-amz-meta-sha256 and checked with HEAD after the
// upload, multipart uploads for files over one part (aborted on failure,
// so no object appears), path-style addressing on custom endpoints.
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/files/verified_file.h"
#include "stages/net/aws_region.h"
#include "stages/net/http.h"
#include "stages/store/object_store_impl.h"

namespace dso {
namespace {

constexpr uint64_t kPartBytes = 64 << 20;
constexpr char kEmptySha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string XmlField(const std::string& xml, const std::string& tag) {
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  size_t a = xml.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = xml.find(close, a);
  return b == std::string::npos ? "" : xml.substr(a, b - a);
}

class S3Store : public ObjectStore {
 public:
  S3Store(std::string bucket, std::string key, std::string endpoint,
          std::string region, std::string access, std::string secret,
          std::string token, bool insecure)
      : bucket_(std::move(bucket)),
        key_(std::move(key)),
        endpoint_(std::move(endpoint)),
        region_(std::move(region)),
        access_(std::move(access)),
        secret_(std::move(secret)),
        token_(std::move(token)),
        insecure_(insecure) {}

  absl::StatusOr<StoredObject> Put(const std::string& path) override {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
    }
    absl::StatusOr<Plan> plan = HashFile(fd, path);
    absl::Status s = plan.status();
    if (s.ok()) {
      s = plan->parts.size() <= 1 ? PutWhole(fd, *plan)
                                  : PutMultipart(fd, *plan);
    }
    close(fd);
    RETURN_IF_ERROR(s);
    std::string hex = plan->whole.digest.substr(7);
    // What the server now holds under the name.
    ASSIGN_OR_RETURN(HttpResponse head, Send("HEAD", "", {}, nullptr, ""));
    if (head.status != 200) return HttpStatusError(Url(), head);
    if (head.header("content-length") != absl::StrCat(plan->whole.size) ||
        head.header("x-amz-meta-sha256") != hex) {
      return absl::DataLossError(
          absl::StrCat(Url(), ": after the upload the object has ",
                       head.header("content-length"), " bytes and sha256 '",
                       head.header("x-amz-meta-sha256"), "', not ",
                       plan->whole.size, " bytes and ", hex));
    }
    return StoredObject{Url(), plan->whole.digest, plan->whole.size};
  }

  absl::StatusOr<StoredObject> Get(const std::string& path,
                                   const std::string& expected) override {
    ASSIGN_OR_RETURN(std::unique_ptr<VerifiedFile> out,
                     VerifiedFile::Create(path));
    HttpResponse r;
    RETURN_IF_ERROR(WithRetries([&]() -> absl::Status {
      RETURN_IF_ERROR(out->Reset());
      HttpRequest req = Request("GET", "", {}, nullptr, kEmptySha256);
      req.bulk = true;
      req.sink = [&](const char* p, size_t n) {
        return out->Append(absl::string_view(p, n));
      };
      ASSIGN_OR_RETURN(r, HttpPerform(req, Url()));
      if (r.status != 200) return HttpStatusError(Url(), r);
      return absl::OkStatus();
    }));
    std::string recorded = r.header("x-amz-meta-sha256");
    std::string want = !expected.empty()
                           ? expected
                           : (recorded.empty() ? "" : "sha256:" + recorded);
    if (want.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          Url(),
          ": the object has no recorded sha256 (not stored by dso); "
          "give the expected digest"));
    }
    ASSIGN_OR_RETURN(FileDigest got, out->Commit(want, Url()));
    return StoredObject{Url(), got.digest, got.size};
  }

 private:
  std::string Url() const { return absl::StrCat("s3://", bucket_, "/", key_); }

  // path-style on a custom endpoint, virtual-hosted on AWS.
  std::string HttpUrl(const std::string& query) const {
    std::string base =
        endpoint_.empty()
            ? absl::StrCat("https://", bucket_, ".s3.", region_,
                           ".amazonaws.com/", UrlEncode(key_, true))
            : absl::StrCat(endpoint_, "/", bucket_, "/", UrlEncode(key_, true));
    return query.empty() ? base : absl::StrCat(base, "?", query);
  }

  HttpRequest Request(const std::string& method, const std::string& query,
                      std::vector<std::string> headers, HttpBody* body,
                      const std::string& payload_sha256) const {
    HttpRequest req;
    req.method = method;
    req.url = HttpUrl(query);
    req.headers = std::move(headers);
    req.headers.push_back("x-amz-content-sha256: " + payload_sha256);
    if (!token_.empty())
      req.headers.push_back("x-amz-security-token: " + token_);
    req.body = body;
    req.aws_sigv4 = absl::StrCat("aws:amz:", region_, ":s3");
    req.userpwd = absl::StrCat(access_, ":", secret_);
    req.insecure_tls = insecure_;
    req.timeout = absl::Seconds(60);
    return req;
  }

  // One request, retried while the server is unreachable or busy.
  absl::StatusOr<HttpResponse> Send(const std::string& method,
                                    const std::string& query,
                                    std::vector<std::string> headers,
                                    HttpBody* body,
                                    const std::string& payload_sha256) {
    HttpRequest req =
        Request(method, query, std::move(headers), body,
                payload_sha256.empty() ? kEmptySha256 : payload_sha256);
    req.bulk = body != nullptr && body->size() > (1 << 20);
    ASSIGN_OR_RETURN(HttpResponse r, HttpPerformRetried(req, Url()));
    if (r.status == 403 || r.status == 401) {
      return absl::PermissionDeniedError(absl::StrCat(
          Url(), ": access denied (HTTP ", r.status, ": ",
          XmlField(r.body, "Code"),
          "); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION"));
    }
    return r;
  }

  // The file's digest and each part's, in one pass over it.
  struct Plan {
    FileDigest whole;
    std::vector<std::string> parts;  // hex SHA-256 of each part
  };
  absl::StatusOr<Plan> HashFile(int fd, const std::string& path) {
    Plan plan;
    Sha256 whole;
    auto part = std::make_unique<Sha256>();
    uint64_t in_part = 0;
    std::string buf(1 << 20, '\0');
    while (true) {
      ssize_t n = read(fd, buf.data(), buf.size());
      if (n < 0) {
        return absl::DataLossError(absl::StrCat("cannot read '", path, "'"));
      }
      if (n == 0) break;
      absl::string_view chunk(buf.data(), n);
      whole.Update(chunk);
      plan.whole.size += n;
      while (!chunk.empty()) {
        size_t take = std::min<uint64_t>(chunk.size(), kPartBytes - in_part);
        part->Update(chunk.substr(0, take));
        chunk.remove_prefix(take);
        in_part += take;
        if (in_part == kPartBytes) {
          plan.parts.push_back(part->FinishHex());
          part = std::make_unique<Sha256>();
          in_part = 0;
        }
      }
    }
    if (in_part > 0 || plan.parts.empty()) {
      plan.parts.push_back(part->FinishHex());
    }
    plan.whole.digest = whole.Finish();
    return plan;
  }

  absl::Status PutWhole(int fd, const Plan& plan) {
    std::string hex = plan.whole.digest.substr(7);
    HttpBody body{{}, fd, 0, plan.whole.size};
    ASSIGN_OR_RETURN(HttpResponse r,
                     Send("PUT", "",
                          {"Content-Type: application/octet-stream",
                           "x-amz-meta-sha256: " + hex},
                          &body, hex));
    if (r.status != 200) return HttpStatusError(Url(), r);
    return absl::OkStatus();
  }

  absl::Status PutMultipart(int fd, const Plan& plan) {
    ASSIGN_OR_RETURN(HttpResponse r,
                     Send("POST", "uploads=",
                          {"Content-Type: application/octet-stream",
                           "x-amz-meta-sha256: " + plan.whole.digest.substr(7)},
                          nullptr, ""));
    std::string upload = XmlField(r.body, "UploadId");
    if (r.status != 200 || upload.empty()) return HttpStatusError(Url(), r);
    absl::Status s = UploadParts(fd, plan, upload);
    if (!s.ok()) {  // leave nothing behind
      (void)Send("DELETE", "uploadId=" + UrlEncode(upload), {}, nullptr, "");
    }
    return s;
  }

  // Each part goes straight from the file; the server checks it against
  // the part's hash, so a file changed since HashFile is refused.
  absl::Status UploadParts(int fd, const Plan& plan,
                           const std::string& upload) {
    std::string complete = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < plan.parts.size(); ++i) {
      uint64_t offset = i * kPartBytes;
      HttpBody body{{},
                    fd,
                    offset,
                    std::min<uint64_t>(kPartBytes, plan.whole.size - offset)};
      ASSIGN_OR_RETURN(HttpResponse r,
                       Send("PUT",
                            absl::StrCat("partNumber=", i + 1,
                                         "&uploadId=", UrlEncode(upload)),
                            {}, &body, plan.parts[i]));
      if (r.status != 200 || r.header("etag").empty()) {
        return HttpStatusError(absl::StrCat(Url(), " part ", i + 1), r);
      }
      absl::StrAppend(&complete, "<Part><PartNumber>", i + 1,
                      "</PartNumber><ETag>", r.header("etag"),
                      "</ETag></Part>");
    }
    complete += "</CompleteMultipartUpload>";
    HttpBody body;
    body.bytes = complete;
    ASSIGN_OR_RETURN(HttpResponse r,
                     Send("POST", "uploadId=" + UrlEncode(upload),
                          {"Content-Type: application/xml"}, &body,
                          Sha256Digest(complete).substr(7)));
    // S3 may answer 200 with an error in the body.
    if (r.status != 200 || absl::StrContains(r.body, "<Error>")) {
      return HttpStatusError(absl::StrCat(Url(), " (completing the upload)"),
                             r);
    }
    return absl::OkStatus();
  }

  std::string bucket_, key_, endpoint_, region_, access_, secret_, token_;
  bool insecure_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenS3Store(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret) {
  std::string rest = url.substr(5);  // after s3://
  size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (bucket.empty() ||
      bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") !=
          std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store URL '", url, "': s3://BUCKET/KEY needs a valid bucket name"));
  }
  if (key.empty() || key.back() == '/') key += options.local_name;
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("store URL '", url, "' names no object key"));
  }
  std::string access = secret("AWS_ACCESS_KEY_ID");
  std::string secret_key = secret("AWS_SECRET_ACCESS_KEY");
  if (access.empty() || secret_key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(url, ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  }
  ASSIGN_OR_RETURN(std::string region, AwsRegion(secret, url));
  std::string endpoint = secret("DSO_S3_ENDPOINT");
  if (endpoint.empty()) endpoint = secret("AWS_ENDPOINT_URL_S3");
  if (endpoint.empty()) endpoint = secret("AWS_ENDPOINT_URL");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return std::make_unique<S3Store>(bucket, key, endpoint, region, access,
                                   secret_key, secret("AWS_SESSION_TOKEN"),
                                   options.insecure_tls);
}

}  // namespace dso
