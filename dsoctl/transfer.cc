#include "dsoctl/transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "runtime/input_handles.h"
#include "stages/core/fd_io.h"
#include "stages/core/relative_path.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"
#include "stages/files/tar_dir.h"
#include "stages/oci/registry.h"

namespace dso {

namespace fs = std::filesystem;

absl::StatusOr<BlobInfo> UploadFile(AgentConnection& conn,
                                    const std::string& path) {
  ASSIGN_OR_RETURN(FileDigest d, Sha256File(path));
  {
    dso::v1::StatRequest req;
    req.set_digest(d.digest);
    absl::StatusOr<dso::v1::BlobInfo> info = conn.client().Stat(req);
    if (info.ok()) return BlobInfo{info->digest(), info->size()};
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot open '", path, "': ", strerror(errno)));
  }
  // The first message names the blob; an empty file is one empty message.
  bool first = true, done = false;
  absl::Status read_error;
  absl::StatusOr<dso::v1::BlobInfo> info =
      conn.client().Put([&](dso::v1::PutRequest* msg) {
        if (done) return false;
        msg->Clear();
        if (first) {
          msg->set_digest(d.digest);
          msg->set_size(d.size);
        }
        std::string* buf = msg->mutable_data();
        buf->resize(1 << 20);
        ssize_t n;
        do {
          n = read(fd, buf->data(), buf->size());
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
          // Stopped short: the agent finds the digest wrong, stores nothing.
          read_error = absl::InternalError(
              absl::StrCat("cannot read '", path, "': ", strerror(errno)));
          return false;
        }
        buf->resize(n);
        done = n == 0;
        if (n == 0 && !first) return false;
        first = false;
        return true;
      });
  close(fd);
  RETURN_IF_ERROR(read_error);
  RETURN_IF_ERROR(info.status());
  return BlobInfo{info->digest(), info->size()};
}

absl::StatusOr<BlobInfo> DownloadBlob(AgentConnection& conn,
                                      const std::string& digest,
                                      const std::string& out) {
  RETURN_IF_ERROR(ParseSha256Digest(digest).status());
  std::string tmp = absl::StrCat(out, ".dso-part-", getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write '", out, "': ", strerror(errno)));
  }
  dso::v1::GetRequest req;
  req.set_digest(digest);
  Sha256 hash;
  uint64_t size = 0;
  absl::Status write_error;
  absl::Status got_status =
      conn.client().Get(req, [&](const dso::v1::Chunk& chunk) {
        const std::string& d = chunk.data();
        hash.Update(d);
        size += d.size();
        if (!WriteAll(fd, d)) {
          write_error = absl::ResourceExhaustedError(
              absl::StrCat("cannot write '", out, "': ", strerror(errno)));
          return false;
        }
        return true;
      });
  if (write_error.ok() && fsync(fd) != 0) {
    write_error = absl::InternalError(absl::StrCat("cannot fsync '", out, "'"));
  }
  close(fd);
  absl::Status s = write_error.ok() ? got_status : write_error;
  std::string got = hash.Finish();
  if (s.ok() && got != digest) {
    s = absl::DataLossError(absl::StrCat("download of ", digest,
                                         " arrived with digest ", got,
                                         "; nothing was written"));
  }
  if (!s.ok()) {
    unlink(tmp.c_str());
    return s;
  }
  if (rename(tmp.c_str(), out.c_str()) != 0) {
    unlink(tmp.c_str());
    return absl::InternalError(
        absl::StrCat("cannot rename into '", out, "': ", strerror(errno)));
  }
  return BlobInfo{digest, size};
}

absl::StatusOr<dso::v1::Input> PrepareInput(AgentConnection& conn,
                                            const std::string& dir,
                                            const PackSkip& skip) {
  std::error_code ec;
  std::string real = fs::canonical(dir, ec).string();
  bool is_file = !ec && fs::is_regular_file(real, ec);
  if (ec || !(is_file || fs::is_directory(real, ec))) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", dir, "' is not a directory or file"));
  }
  dso::v1::Input input;
  if (conn.shares_filesystem()) {
    ASSIGN_OR_RETURN(dso::v1::AgentInfo info, conn.Info());
    for (const auto& root : info.allowed_roots()) {
      if (IsUnder(real, root)) {
        input.set_local_path(real);
        return input;
      }
    }
    // A directory (or a file) is handed over: the agent reads it in place
    // through this descriptor (runtime/input_handles.h; a file under its own
    // name); when it takes none, a tar as below.
    if (!info.handle_socket().empty()) {
      int fd = open(real.c_str(),
                    O_RDONLY | O_CLOEXEC | (is_file ? 0 : O_DIRECTORY));
      absl::StatusOr<std::string> handle =
          fd < 0 ? absl::UnavailableError(strerror(errno))
                 : HandOver(info.handle_socket(), fd);
      if (fd >= 0) close(fd);
      if (handle.ok()) {
        input.set_handle(*handle);
        if (is_file) input.set_handle_name(fs::path(real).filename().string());
        return input;
      }
      std::cerr << "[dso] the agent does not read '" << real << "' in place ("
                << handle.status().message() << "); sending it as a tar\n";
    }
  }
  // A single file travels as a tar of a directory holding just it.
  std::string packed_dir = real;
  std::unique_ptr<std::string, void (*)(std::string*)> file_dir(
      nullptr, [](std::string* d) {
        std::error_code e;
        fs::remove_all(*d, e);
        delete d;
      });
  if (is_file) {
    char tmpl[] = "/tmp/dsoctl-file-XXXXXX";
    if (!mkdtemp(tmpl)) {
      return absl::InternalError("cannot create a directory for the upload");
    }
    file_dir.reset(new std::string(tmpl));
    fs::copy_file(real, fs::path(tmpl) / fs::path(real).filename(), ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot copy '", real, "': ", ec.message()));
    }
    packed_dir = tmpl;
  }
  std::string tmp =
      (fs::temp_directory_path() / absl::StrCat("dso-input-", getpid(), ".tar"))
          .string();
  FILE* f = fopen(tmp.c_str(), "wb");
  if (!f) return absl::InternalError(absl::StrCat("cannot create '", tmp, "'"));
  absl::Status packed = PackDirectory(
      packed_dir,
      [f](absl::string_view d) {
        if (fwrite(d.data(), 1, d.size(), f) != d.size()) {
          return absl::ResourceExhaustedError("cannot write the input tar");
        }
        return absl::OkStatus();
      },
      is_file ? PackSkip() : skip);
  fclose(f);
  if (!packed.ok()) {
    unlink(tmp.c_str());
    return packed;
  }
  auto uploaded = UploadFile(conn, tmp);
  unlink(tmp.c_str());
  if (!uploaded.ok()) return uploaded.status();
  std::cerr << "[dso] sent " << real << " to the agent as a tar of "
            << uploaded->size << " bytes (" << uploaded->digest << ")\n";
  input.set_tar_digest(uploaded->digest);
  return input;
}

absl::StatusOr<dso::v1::Input> PrepareFileInput(AgentConnection& conn,
                                                const std::string& flag,
                                                const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", path, "' is not a file"));
  }
  return PrepareInput(conn, path);
}

bool IsRegistryImage(const std::string& arg) {
  std::error_code ec;
  return !arg.empty() && !std::filesystem::exists(arg, ec) &&
         arg.front() != '/' && arg.front() != '.' && ParseRegistryRef(arg).ok();
}

OutputPlan OutputPaths(const std::string& json_path,
                       const std::map<std::string, std::string>& asked) {
  OutputPlan out;
  fs::path beside = fs::path(json_path).parent_path();
  for (const auto& [name, path] : asked) {
    if (!path.empty()) {
      out[name] = Output{path};
    } else if (!json_path.empty()) {
      out[name] = Output{(beside / name).string()};
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> DownloadOutputs(
    AgentConnection& conn, const FollowResult& run, const OutputPlan& plan) {
  std::map<std::string, std::string> local;
  std::map<std::string, std::string> written;  // path -> digest
  for (const auto& a : run.artifacts) {
    auto it = plan.find(a.name());
    if (it == plan.end()) continue;
    const Output& out = it->second;
    auto same = written.find(out.path);
    if (out.in_place || (same != written.end() && same->second == a.digest())) {
      local[a.name()] = out.path;  // there already
      continue;
    }
    written[out.path] = a.digest();
    std::error_code ec;
    fs::path parent = fs::path(out.path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (out.layout) {
      std::string tar = out.path + ".dso-layout.tar";
      absl::StatusOr<BlobInfo> got = DownloadBlob(conn, a.digest(), tar);
      absl::Status placed =
          got.ok() ? PlaceLayout(tar, out.path) : got.status();
      fs::remove(tar, ec);
      RETURN_IF_ERROR(placed);
    } else {
      RETURN_IF_ERROR(DownloadBlob(conn, a.digest(), out.path).status());
    }
    local[a.name()] = out.path;
    std::cerr << "[dso] " << a.name() << " " << out.path << "\n";
  }
  return local;
}

absl::Status CheckLayoutDest(const std::string& flag, const std::string& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return absl::OkStatus();
  if (fs::is_directory(out, ec) &&
      (fs::is_empty(out, ec) || fs::exists(out + "/oci-layout", ec))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      flag, " '", out,
      "' exists and is not an OCI image layout; choose a new directory"));
}

absl::Status PlaceLayout(const std::string& tar, const std::string& out) {
  std::string fresh = out + ".dso-new";
  std::string old = out + ".dso-old";
  std::error_code ec;
  fs::remove_all(fresh, ec);
  fs::remove_all(old, ec);
  fs::create_directories(fresh, ec);
  absl::Status s = UnpackTar(tar, fresh);
  if (!s.ok()) {
    fs::remove_all(fresh, ec);
    return s;
  }
  if (fs::exists(out, ec)) fs::rename(out, old, ec);
  fs::rename(fresh, out, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot put the image at '", out, "': ", ec.message()));
  }
  fs::remove_all(old, ec);
  return absl::OkStatus();
}

absl::StatusOr<ImageArg> PrepareImageArg(AgentConnection& conn,
                                         const std::string& flag,
                                         const std::string& arg) {
  std::error_code ec;
  ImageArg out;
  out.path = arg;
  // The tag may hold ':' too (demo:1): split at the first ':' after which
  // a layout directory ends.
  for (size_t colon = arg.find(':');
       !fs::exists(arg, ec) && colon != std::string::npos;
       colon = arg.find(':', colon + 1)) {
    if (fs::is_directory(arg.substr(0, colon), ec)) {
      out.path = arg.substr(0, colon);
      out.local_ref = arg.substr(colon + 1);
      break;
    }
  }
  if (!fs::exists(out.path, ec)) {
    if (IsRegistryImage(arg)) {  // pulled by the step
      out.registry_ref = arg;
      return out;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " '", arg,
        "' is neither an OCI layout directory nor a docker archive here, "
        "nor a registry reference (REGISTRY/REPOSITORY:TAG)"));
  }
  ASSIGN_OR_RETURN(out.local,
                   PrepareInput(conn, fs::absolute(out.path, ec).string()));
  return out;
}

}  // namespace dso
