#include "stages/files/tar_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/bounded_file.h"
#include "stages/core/libarchive_api.h"
#include "stages/core/relative_path.h"
#include "stages/core/status_macros.h"

namespace dso {

namespace fs = std::filesystem;

namespace {

struct WriteState {
  const ByteSink* sink;
  absl::Status status;
};

la_ssize_t WriteCallback(archive*, void* client, const void* buf, size_t n) {
  auto* st = static_cast<WriteState*>(client);
  st->status = (*st->sink)(absl::string_view(static_cast<const char*>(buf), n));
  return st->status.ok() ? static_cast<la_ssize_t>(n) : -1;
}

absl::Status ArchiveError(archive* a, absl::string_view what) {
  const char* msg = LibArchive().archive_error_string(a);
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", msg ? msg : "unknown libarchive error"));
}

// "./a/b" -> "a/b"; "a/b/" -> "a/b".
std::string CleanEntryPath(absl::string_view p) {
  while (absl::StartsWith(p, "./")) p.remove_prefix(2);
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

// A link target, taken relative to the entry's directory, stays inside.
bool LinkStaysInside(const std::string& entry, const std::string& target) {
  if (target.empty() || target.front() == '/') return false;
  fs::path joined = (fs::path(entry).parent_path() / target).lexically_normal();
  std::string s = joined.string();
  return !(s == ".." || absl::StartsWith(s, "../"));
}

}  // namespace

absl::Status PackDirectory(const std::string& dir, const ByteSink& sink,
                           const PackSkip& skip) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", dir, "' is not a directory"));
  }
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(
           dir, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (skip) {
      std::error_code type_ec;
      bool is_dir = it->is_directory(type_ec) && !it->is_symlink(type_ec);
      if (skip(it->path().string(), is_dir)) {
        if (is_dir) it.disable_recursion_pending();
        continue;
      }
    }
    paths.push_back(it->path());
  }
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot list '", dir, "': ", ec.message()));
  }
  std::sort(paths.begin(), paths.end());

  ASSIGN_OR_RETURN(ArchivePtr a, NewArchiveWriter());
  LibArchive().archive_write_set_format_pax_restricted(a.get());
  LibArchive().archive_write_set_bytes_in_last_block(a.get(), 1);
  WriteState state{&sink, absl::OkStatus()};
  if (LibArchive().archive_write_open2(a.get(), &state, nullptr, WriteCallback,
                                       nullptr, nullptr) != ARCHIVE_OK) {
    return ArchiveError(a.get(), "cannot start tar");
  }
  std::vector<char> buf(1 << 20);
  for (const auto& path : paths) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;  // vanished meanwhile
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
      continue;
    }
    ASSIGN_OR_RETURN(ArchiveEntryPtr e, NewArchiveEntry());
    std::string rel = path.lexically_relative(dir).string();
    LibArchive().archive_entry_set_pathname(e.get(), rel.c_str());
    LibArchive().archive_entry_copy_stat(e.get(), &st);
    LibArchive().archive_entry_set_uid(e.get(), 0);
    LibArchive().archive_entry_set_gid(e.get(), 0);
    if (S_ISLNK(st.st_mode)) {
      std::string target = fs::read_symlink(path, ec).string();
      LibArchive().archive_entry_set_symlink(e.get(), target.c_str());
      LibArchive().archive_entry_set_size(e.get(), 0);
    }
    FILE* f = nullptr;
    if (S_ISREG(st.st_mode)) {
      f = fopen(path.c_str(), "rb");
      if (f == nullptr) {
        return absl::PermissionDeniedError(
            absl::StrCat("cannot read '", path.string(), "'"));
      }
    }
    if (LibArchive().archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      if (f) fclose(f);
      if (!state.status.ok()) return state.status;
      return ArchiveError(a.get(), absl::StrCat("cannot add '", rel, "'"));
    }
    if (f) {
      size_t n;
      while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) {
        if (LibArchive().archive_write_data(a.get(), buf.data(), n) < 0) {
          fclose(f);
          if (!state.status.ok()) return state.status;
          return ArchiveError(a.get(), absl::StrCat("cannot add '", rel, "'"));
        }
      }
      fclose(f);
    }
  }
  if (LibArchive().archive_write_close(a.get()) != ARCHIVE_OK) {
    if (!state.status.ok()) return state.status;
    return ArchiveError(a.get(), "cannot finish tar");
  }
  return state.status;
}

absl::Status UnpackTar(const std::string& tar_path, const std::string& dest,
                       const UnpackLimits& limits) {
  ASSIGN_OR_RETURN(ArchivePtr in, NewArchiveReader());
  LibArchive().archive_read_support_format_tar(in.get());
  LibArchive().archive_read_support_format_gnutar(in.get());
  LibArchive().archive_read_support_filter_gzip(in.get());
  LibArchive().archive_read_support_filter_zstd(in.get());
  LibArchive().archive_read_support_filter_xz(in.get());
  if (LibArchive().archive_read_open_filename(in.get(), tar_path.c_str(),
                                              1 << 16) != ARCHIVE_OK) {
    return ArchiveError(in.get(), "input is not a readable tar archive");
  }
  // Entries are checked to be relative here and written below the canonical
  // destination, so libarchive's own absolute-path check cannot be used.
  std::error_code ec;
  std::string root = std::filesystem::canonical(dest, ec).string();
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot unpack into '", dest, "': ", ec.message()));
  }
  ASSIGN_OR_RETURN(ArchivePtr out, NewArchiveDiskWriter());
  LibArchive().archive_write_disk_set_options(
      out.get(), ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                     ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_TIME |
                     ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_NO_OVERWRITE);
  uint64_t entries = 0, total = 0;
  std::vector<char> buf(1 << 20);
  std::vector<std::string> links;
  while (true) {
    archive_entry* e = nullptr;
    int r = LibArchive().archive_read_next_header(in.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return ArchiveError(in.get(), "corrupt tar archive");
    if (++entries > limits.max_entries) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tar archive has more than ", limits.max_entries, " entries"));
    }
    const char* raw = LibArchive().archive_entry_pathname(e);
    std::string name = CleanEntryPath(raw ? raw : "");
    if (name.empty() || name == ".") continue;
    if (!IsSafeRelativePath(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tar entry '", name, "' is absolute or uses '..'; refusing archive"));
    }
    if (const char* hl = LibArchive().archive_entry_hardlink(e)) {
      std::string target = CleanEntryPath(hl);
      // Resolved by the kernel, not by spelling: link(2) follows the links
      // on the target's way, so a chain of them could reach any file.
      absl::StatusOr<int> held =
          IsSafeRelativePath(target)
              ? OpenBeneath(root, target, O_PATH | O_NOFOLLOW)
              : absl::StatusOr<int>(absl::PermissionDeniedError("outside"));
      if (held.ok()) close(*held);
      if (!held.ok() && absl::IsPermissionDenied(held.status())) {
        return absl::InvalidArgumentError(
            absl::StrCat("tar entry '", name, "' is a hard link to '", hl,
                         "', outside the archive; refusing archive"));
      }
      LibArchive().archive_entry_set_hardlink(
          e, absl::StrCat(root, "/", target).c_str());
    }
    mode_t type = LibArchive().archive_entry_filetype(e);
    if (LibArchive().archive_entry_hardlink(e)) type = AE_IFREG;
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
      return absl::InvalidArgumentError(
          absl::StrCat("tar entry '", name,
                       "' is a device, fifo or socket; refusing archive"));
    }
    if (type == AE_IFLNK) {
      const char* t = LibArchive().archive_entry_symlink(e);
      if (!LinkStaysInside(name, t ? t : "")) {
        return absl::InvalidArgumentError(
            absl::StrCat("tar entry '", name, "' is a link to '", t ? t : "",
                         "', outside the archive; refusing archive"));
      }
      links.push_back(name);
    }
    // Nobody gains rights from an archive: no setuid, setgid or sticky bit
    // (owners are the agent's, below).
    LibArchive().archive_entry_set_perm(
        e, LibArchive().archive_entry_perm(e) & 0777);
    uint64_t declared = LibArchive().archive_entry_size(e);
    if (total + declared > limits.max_total_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("tar archive holds more than ", limits.max_total_bytes,
                       " bytes (at entry '", name, "')"));
    }
    LibArchive().archive_entry_set_pathname(
        e, absl::StrCat(root, "/", name).c_str());
    LibArchive().archive_entry_set_uid(e, getuid());
    LibArchive().archive_entry_set_gid(e, getgid());
    if (LibArchive().archive_write_header(out.get(), e) < ARCHIVE_WARN) {
      return ArchiveError(out.get(),
                          absl::StrCat("cannot unpack tar entry '", name, "'"));
    }
    while (true) {
      la_ssize_t n =
          LibArchive().archive_read_data(in.get(), buf.data(), buf.size());
      if (n == 0) break;
      if (n < 0) return ArchiveError(in.get(), "corrupt tar archive data");
      total += n;
      if (total > limits.max_total_bytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tar archive holds more than ", limits.max_total_bytes, " bytes"));
      }
      if (LibArchive().archive_write_data(out.get(), buf.data(), n) < 0) {
        return ArchiveError(out.get(),
                            absl::StrCat("cannot write '", name, "'"));
      }
    }
    if (LibArchive().archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return ArchiveError(out.get(),
                          absl::StrCat("cannot finish '", name, "'"));
    }
  }
  if (LibArchive().archive_write_close(out.get()) != ARCHIVE_OK) {
    return ArchiveError(out.get(), "cannot finish unpacking");
  }
  // Each link stays inside by its spelling; a chain of them may not
  // ("up -> .." in a subdirectory, then "x -> d/up/.." resolves above the
  // root). Every link is resolved as the kernel would, all of them in place.
  for (const std::string& link : links) {
    absl::StatusOr<int> fd = OpenBeneath(root, link, O_PATH);
    if (fd.ok()) {
      close(*fd);
    } else if (absl::IsPermissionDenied(fd.status())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tar entry '", link,
          "' is a link that resolves outside the archive (through other "
          "links); refusing archive"));
    }
  }
  return absl::OkStatus();
}

absl::Status PackDirectoryToFile(const std::string& dir,
                                 const std::string& tar_path) {
  std::string tmp = tar_path + ".tmp";
  auto cannot = [&] {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot write '", tar_path, "'"));
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return cannot();
    absl::Status s = PackDirectory(dir, [&](absl::string_view b) {
      out.write(b.data(), static_cast<std::streamsize>(b.size()));
      return out ? absl::OkStatus() : cannot();
    });
    out.close();
    if (s.ok() && !out) s = cannot();
    if (!s.ok()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return s;
    }
  }
  std::error_code ec;
  fs::rename(tmp, tar_path, ec);
  if (ec) return cannot();
  return absl::OkStatus();
}

}  // namespace dso
