#include "stages/store/object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/sha256.h"
#include "stages/files/verified_file.h"
#include "stages/store/object_store_impl.h"

namespace dso {

absl::StatusOr<std::unique_ptr<ObjectStore>> OpenObjectStore(
    const std::string& url, const StoreOptions& options,
    const SecretLookup& secret) {
  if (absl::StartsWith(url, "file://")) return OpenFileStore(url, options);
  if (absl::StartsWith(url, "s3://")) {
    return OpenS3Store(url, options, secret);
  }
  if (absl::StartsWith(url, "ftp://") || absl::StartsWith(url, "ftps://")) {
    return OpenFtpStore(url, options, secret);
  }
  if (absl::StartsWith(url, "nexus+https://") ||
      absl::StartsWith(url, "nexus+http://")) {
    return OpenNexusStore(url, options, secret);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "store URL '", url,
      "': use file:///DIR, s3://BUCKET/KEY, nexus+https://HOST/repository/"
      "REPO/PATH, ftp://HOST/PATH or oci://HOST/REPO:TAG"));
}

std::string SidecarText(const std::string& digest, const std::string& name) {
  return absl::StrCat(digest.substr(7), "  ", name, "\n");
}

absl::StatusOr<std::string> ParseSidecar(const std::string& text,
                                         const std::string& url) {
  std::string digest = absl::StrCat("sha256:", text.substr(0, 64));
  if (!ParseSha256Digest(digest).ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        url, ": its recorded digest (", url,
        ".sha256) is not a sha256 line; give the expected digest"));
  }
  return digest;
}

absl::StatusOr<std::string> DigestOfDownload(HttpRequest request,
                                             const std::string& what) {
  Sha256 hash;
  request.bulk = true;
  request.sink = [&](const char* p, size_t n) {
    hash.Update(absl::string_view(p, n));
    return true;
  };
  absl::StatusOr<HttpResponse> r = HttpPerform(request, what);
  if (!r.ok()) return r.status();
  if (r->status != 200 && r->status != 226 && r->status != 0) {
    return HttpStatusError(what, *r);
  }
  return hash.Finish();
}

absl::StatusOr<StoredObject> PutWithSidecar(
    const std::string& path, const std::string& url, const std::string& name,
    const std::function<absl::Status(const std::string& suffix, HttpBody*)>&
        upload,
    const HttpRequest& readback) {
  absl::StatusOr<FileDigest> digest = Sha256File(path);
  if (!digest.ok()) return digest.status();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  }
  HttpBody body{{}, fd, 0, digest->size};
  absl::Status s = upload("", &body);
  close(fd);
  if (!s.ok()) return s;
  std::string sidecar = SidecarText(digest->digest, name);
  HttpBody side;
  side.bytes = sidecar;
  if (s = upload(".sha256", &side); !s.ok()) return s;
  absl::StatusOr<std::string> there = DigestOfDownload(readback, url);
  if (!there.ok()) return there.status();
  if (*there != digest->digest) {
    return absl::DataLossError(absl::StrCat(url,
                                            ": after the upload the server "
                                            "holds ",
                                            *there, ", not ", digest->digest));
  }
  return StoredObject{url, digest->digest, digest->size};
}

absl::StatusOr<StoredObject> DownloadVerified(HttpRequest request,
                                              HttpRequest sidecar_request,
                                              const std::string& url,
                                              const std::string& path,
                                              const std::string& expected) {
  std::string want = expected;
  if (want.empty()) {
    absl::StatusOr<HttpResponse> side =
        HttpPerform(sidecar_request, url + ".sha256");
    if (!side.ok() && side.status().code() != absl::StatusCode::kNotFound) {
      return side.status();
    }
    if (!side.ok() ||
        (side->status != 200 && side->status != 226 && side->status != 0)) {
      return absl::FailedPreconditionError(absl::StrCat(
          url, ": no recorded digest (", url,
          ".sha256 is missing: the object is absent or was not stored by "
          "dso); give the expected digest"));
    }
    absl::StatusOr<std::string> d = ParseSidecar(side->body, url);
    if (!d.ok()) return d.status();
    want = *d;
  }
  absl::StatusOr<std::unique_ptr<VerifiedFile>> out =
      VerifiedFile::Create(path);
  if (!out.ok()) return out.status();
  absl::Status s = WithRetries([&]() -> absl::Status {
    absl::Status reset = (*out)->Reset();
    if (!reset.ok()) return reset;
    request.bulk = true;
    request.sink = [&](const char* p, size_t n) {
      return (*out)->Append(absl::string_view(p, n));
    };
    absl::StatusOr<HttpResponse> r = HttpPerform(request, url);
    if (!r.ok()) return r.status();
    if (r->status != 200 && r->status != 226 && r->status != 0) {
      return HttpStatusError(url, *r);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  absl::StatusOr<FileDigest> got = (*out)->Commit(want, url);
  if (!got.ok()) return got.status();
  return StoredObject{url, got->digest, got->size};
}

}  // namespace dso
