#include "stages/image_build/layer_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/bounded_file.h"
#include "stages/core/fd_io.h"
#include "stages/core/libarchive_api.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

// "/app/x/" -> "app/x"; refuses "..".
absl::StatusOr<std::string> ImagePath(absl::string_view p,
                                      absl::string_view what) {
  std::string out;
  for (absl::string_view part : absl::StrSplit(p, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " '", p, "' must not contain '..'"));
    }
    absl::StrAppend(&out, out.empty() ? "" : "/", part);
  }
  return out;
}

void AddParents(const std::string& path,
                std::map<std::string, LayerEntry>* out) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (!out->count(dir)) {
      (*out)[dir] = {dir, LayerEntry::Type::kDirectory, 0755, "", "", ""};
    }
  }
}

absl::StatusOr<LayerEntry> EntryFor(const std::string& root,
                                    const std::string& rel, std::string path) {
  const fs::path source = fs::path(root) / rel;
  struct stat st;
  if (lstat(source.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read '", source.string(), "'"));
  }
  LayerEntry e;
  e.path = std::move(path);
  if (S_ISDIR(st.st_mode)) {
    e.type = LayerEntry::Type::kDirectory;
    e.mode = 0755;
  } else if (S_ISREG(st.st_mode)) {
    e.type = LayerEntry::Type::kFile;
    e.mode = (st.st_mode & 0111) ? 0755 : 0644;
    e.source_root = root;
    e.source = rel;
  } else if (S_ISLNK(st.st_mode)) {
    e.type = LayerEntry::Type::kSymlink;
    e.mode = 0777;
    std::error_code ec;
    e.target = fs::read_symlink(source, ec).string();
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot read the link '", source.string(), "': ", ec.message()));
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("'", source.string(),
                     "' is not a file, directory or symbolic link; remove it "
                     "from the build context"));
  }
  return e;
}

// Tar bytes in; the diff_id hash, gzip, the digest hash and the file out.
class LayerSink {
 public:
  explicit LayerSink(int fd) : fd_(fd) {
    deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  }
  ~LayerSink() { deflateEnd(&z_); }

  absl::Status Write(const void* data, size_t n) {
    diff_.Update(absl::string_view(static_cast<const char*>(data), n));
    return Deflate(data, n, Z_NO_FLUSH);
  }
  absl::StatusOr<LayerBlob> Finish() {
    absl::Status s = Deflate(nullptr, 0, Z_FINISH);
    if (!s.ok()) return s;
    LayerBlob b;
    b.diff_id = diff_.Finish();
    b.digest = blob_.Finish();
    b.size = size_;
    return b;
  }

 private:
  absl::Status Deflate(const void* data, size_t n, int flush) {
    z_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    z_.avail_in = static_cast<uInt>(n);
    char out[1 << 16];
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = sizeof(out);
      rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return absl::InternalError("gzip failed");
      size_t have = sizeof(out) - z_.avail_out;
      absl::string_view chunk(out, have);
      blob_.Update(chunk);
      size_ += have;
      if (have && !WriteAll(fd_, chunk)) {
        return absl::ResourceExhaustedError(
            absl::StrCat("cannot write the layer: ", strerror(errno)));
      }
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return absl::OkStatus();
  }

  int fd_;
  z_stream z_{};
  Sha256 diff_, blob_;
  uint64_t size_ = 0;
};

struct WriteState {
  LayerSink* sink;
  absl::Status status;
};

la_ssize_t OnTarBytes(archive*, void* client, const void* buf, size_t n) {
  auto* st = static_cast<WriteState*>(client);
  st->status = st->sink->Write(buf, n);
  return st->status.ok() ? static_cast<la_ssize_t>(n) : -1;
}

absl::Status TarError(archive* a, const WriteState& st,
                      absl::string_view what) {
  if (!st.status.ok()) return st.status;
  const char* msg = LibArchive().archive_error_string(a);
  return absl::InternalError(
      absl::StrCat(what, ": ", msg ? msg : "unknown libarchive error"));
}

}  // namespace

absl::StatusOr<std::vector<LayerEntry>> CollectLayerEntries(
    const std::string& context_dir, const std::string& app_dir,
    const std::vector<ExtraFile>& extra) {
  std::error_code ec;
  if (!fs::is_directory(context_dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("build context '", context_dir, "' is not a directory"));
  }
  auto app = ImagePath(app_dir, "the application directory");
  if (!app.ok()) return app.status();
  std::map<std::string, LayerEntry> entries;
  if (!app->empty()) {
    AddParents(*app + "/", &entries);
  }
  for (auto it = fs::recursive_directory_iterator(context_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().lexically_relative(context_dir).string();
    std::string path = app->empty() ? rel : absl::StrCat(*app, "/", rel);
    auto e = EntryFor(context_dir, rel, path);
    if (!e.ok()) return e.status();
    entries[path] = *std::move(e);
  }
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot list the build context '", context_dir, "': ", ec.message()));
  }
  for (const ExtraFile& f : extra) {
    auto rel = ImagePath(f.source, "--file source");
    auto dest = ImagePath(f.dest, "--file destination");
    if (!rel.ok()) return rel.status();
    if (!dest.ok()) return dest.status();
    if (dest->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--file '", f.source, "': no destination path"));
    }
    // Resolved beneath the context: a link on the way (LINK/shadow with
    // LINK -> /etc, or a chain of relative links) must not lead out.
    absl::StatusOr<int> fd = OpenRegularBeneath(context_dir, *rel);
    if (!fd.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--file '", f.source, "': ", fd.status().message()));
    }
    struct stat st;
    fstat(*fd, &st);
    close(*fd);
    LayerEntry e;
    e.type = LayerEntry::Type::kFile;
    e.mode = (st.st_mode & 0111) ? 0755 : 0644;
    e.source_root = context_dir;
    e.source = *rel;
    e.path = *dest;
    if (f.mode >= 0) e.mode = static_cast<uint32_t>(f.mode) & 07777;
    AddParents(*dest, &entries);
    entries[*dest] = std::move(e);
  }
  std::vector<LayerEntry> out;
  out.reserve(entries.size());
  for (auto& [path, e] : entries) out.push_back(std::move(e));
  return out;
}

absl::StatusOr<LayerBlob> WriteLayer(const std::vector<LayerEntry>& entries,
                                     int64_t mtime,
                                     const std::string& out_path) {
  int fd =
      open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create '", out_path, "': ", strerror(errno)));
  }
  struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
  } closer{fd};
  LayerSink sink(fd);
  WriteState state{&sink, absl::OkStatus()};
  ASSIGN_OR_RETURN(ArchivePtr a, NewArchiveWriter());
  LibArchive().archive_write_set_format_pax_restricted(a.get());
  LibArchive().archive_write_set_bytes_in_last_block(a.get(), 1);
  if (LibArchive().archive_write_open2(a.get(), &state, nullptr, OnTarBytes,
                                       nullptr, nullptr) != ARCHIVE_OK) {
    return TarError(a.get(), state, "cannot start the layer");
  }
  std::vector<char> buf(1 << 20);
  for (const LayerEntry& le : entries) {
    ASSIGN_OR_RETURN(ArchiveEntryPtr e, NewArchiveEntry());
    std::string name = le.type == LayerEntry::Type::kDirectory
                           ? absl::StrCat(le.path, "/")
                           : le.path;
    LibArchive().archive_entry_set_pathname(e.get(), name.c_str());
    LibArchive().archive_entry_set_mtime(e.get(), mtime, 0);
    LibArchive().archive_entry_set_uid(e.get(), 0);
    LibArchive().archive_entry_set_gid(e.get(), 0);
    FILE* f = nullptr;
    switch (le.type) {
      case LayerEntry::Type::kDirectory:
        LibArchive().archive_entry_set_filetype(e.get(), AE_IFDIR);
        break;
      case LayerEntry::Type::kSymlink:
        LibArchive().archive_entry_set_filetype(e.get(), AE_IFLNK);
        LibArchive().archive_entry_set_symlink(e.get(), le.target.c_str());
        break;
      case LayerEntry::Type::kFile: {
        LibArchive().archive_entry_set_filetype(e.get(), AE_IFREG);
        absl::StatusOr<int> fd = OpenRegularBeneath(le.source_root, le.source);
        if (!fd.ok()) return fd.status();
        f = fdopen(*fd, "rb");
        struct stat st;
        if (f == nullptr || fstat(fileno(f), &st) != 0) {
          if (f)
            fclose(f);
          else
            close(*fd);
          return absl::PermissionDeniedError(
              absl::StrCat("cannot read '", le.source, "'"));
        }
        LibArchive().archive_entry_set_size(e.get(), st.st_size);
        break;
      }
    }
    LibArchive().archive_entry_set_perm(e.get(), le.mode);
    std::unique_ptr<FILE, decltype(&fclose)> file(f, fclose);
    if (f == nullptr) file.release();
    if (LibArchive().archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return TarError(a.get(), state, absl::StrCat("cannot add '", name, "'"));
    }
    if (f) {
      size_t n;
      while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) {
        if (LibArchive().archive_write_data(a.get(), buf.data(), n) < 0) {
          return TarError(a.get(), state,
                          absl::StrCat("cannot add '", name, "'"));
        }
      }
    }
  }
  if (LibArchive().archive_write_close(a.get()) != ARCHIVE_OK) {
    return TarError(a.get(), state, "cannot finish the layer");
  }
  if (!state.status.ok()) return state.status;
  auto blob = sink.Finish();
  if (blob.ok() && fsync(fd) != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot write '", out_path, "': ", strerror(errno)));
  }
  return blob;
}

}  // namespace dso
