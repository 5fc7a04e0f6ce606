#include "stages/oci/layer_reader.h"

#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "stages/core/libarchive_api.h"
#include "stages/core/sha256.h"
#include "stages/core/status_macros.h"

namespace dso {
namespace {

// "./a//b/" -> "a/b"; false when a component is "..".
bool Normalise(absl::string_view raw, std::string* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(raw, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") return false;
    absl::StrAppend(out, out->empty() ? "" : "/", part);
  }
  return true;
}

// Whether a symbolic link at `path` with text `target`, resolved lexically
// from the image root, stays inside it. (Inside a container the kernel
// keeps it in; an extractor that follows it would not.)
bool SymlinkStaysInside(const std::string& path, const std::string& target) {
  if (absl::StartsWith(target, "/")) return true;  // rooted at the image
  int depth = 0;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    (void)part;
    ++depth;
  }
  --depth;  // the link's own name
  for (absl::string_view part : absl::StrSplit(target, '/')) {
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
  }
  return true;
}

struct HashedFile {
  FILE* file = nullptr;
  Sha256 hash;
  std::vector<char> buf = std::vector<char>(1 << 20);
};

la_ssize_t ReadHashed(archive*, void* client, const void** out) {
  auto* src = static_cast<HashedFile*>(client);
  size_t n = fread(src->buf.data(), 1, src->buf.size(), src->file);
  if (n == 0 && ferror(src->file)) return -1;
  src->hash.Update(absl::string_view(src->buf.data(), n));
  *out = src->buf.data();
  return static_cast<la_ssize_t>(n);
}

}  // namespace

absl::Status ReadLayer(const std::string& path, const std::string& name,
                       const LayerLimits& limits, const LayerVisitor& visit,
                       std::vector<LayerProblem>* problems,
                       const std::string& expected_digest) {
  ASSIGN_OR_RETURN(ArchivePtr a, NewArchiveReader());
  LibArchive().archive_read_support_filter_gzip(a.get());
  LibArchive().archive_read_support_filter_zstd(a.get());
  LibArchive().archive_read_support_format_tar(a.get());
  // The layer's bytes are hashed as libarchive reads them.
  std::unique_ptr<FILE, decltype(&fclose)> file(fopen(path.c_str(), "rb"),
                                                fclose);
  if (!file) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": cannot be read"));
  }
  HashedFile source;
  source.file = file.get();
  if (LibArchive().archive_read_open2(a.get(), &source, nullptr, ReadHashed,
                                      nullptr, nullptr) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not a tar layer: ",
                     LibArchive().archive_error_string(a.get())
                         ? LibArchive().archive_error_string(a.get())
                         : "unreadable"));
  }
  uint64_t entries = 0, bytes = 0;
  archive_entry* e;
  int rc;
  while ((rc = LibArchive().archive_read_next_header(a.get(), &e)) ==
             ARCHIVE_OK ||
         rc == ARCHIVE_WARN) {
    const char* raw = LibArchive().archive_entry_pathname(e);
    LayerEntryInfo info;
    if (raw == nullptr || !Normalise(raw, &info.path)) {
      problems->push_back({LayerProblem::Kind::kTraversal, raw ? raw : "",
                           "the path climbs out of the root with '..'"});
      continue;
    }
    if (info.path.empty()) continue;  // "./" itself
    if (++entries > limits.max_entries) {
      problems->push_back({LayerProblem::Kind::kTooLarge, info.path,
                           absl::StrCat("more than ", limits.max_entries,
                                        " entries; the rest was not read")});
      return absl::OkStatus();
    }
    info.mode = LibArchive().archive_entry_perm(e);
    info.size = static_cast<uint64_t>(LibArchive().archive_entry_size(e));
    if (const char* hard = LibArchive().archive_entry_hardlink(e)) {
      info.type = LayerEntryInfo::Type::kHardlink;
      if (!Normalise(hard, &info.link)) {
        problems->push_back(
            {LayerProblem::Kind::kLinkEscapes, info.path,
             absl::StrCat("hard link to '", hard, "' outside the root")});
        continue;
      }
    } else {
      switch (LibArchive().archive_entry_filetype(e)) {
        case AE_IFREG:
          info.type = LayerEntryInfo::Type::kFile;
          break;
        case AE_IFDIR:
          info.type = LayerEntryInfo::Type::kDirectory;
          break;
        case AE_IFLNK:
          info.type = LayerEntryInfo::Type::kSymlink;
          info.link = LibArchive().archive_entry_symlink(e)
                          ? LibArchive().archive_entry_symlink(e)
                          : "";
          if (!SymlinkStaysInside(info.path, info.link)) {
            problems->push_back({LayerProblem::Kind::kLinkEscapes, info.path,
                                 absl::StrCat("symbolic link to '", info.link,
                                              "' leads out of the root")});
          }
          break;
        case AE_IFCHR:
        case AE_IFBLK:
          info.type = LayerEntryInfo::Type::kDevice;
          problems->push_back({LayerProblem::Kind::kDevice, info.path,
                               "a device file in an image layer"});
          break;
        default:
          info.type = LayerEntryInfo::Type::kOther;
      }
    }
    bool over = false;
    LayerDataFn data = [&](char* buf, size_t n, std::string* error) -> ssize_t {
      if (bytes >= limits.max_bytes) {
        over = true;
        return 0;
      }
      la_ssize_t got = LibArchive().archive_read_data(a.get(), buf, n);
      if (got < 0) {
        const char* msg = LibArchive().archive_error_string(a.get());
        *error = msg ? msg : "damaged layer";
        return -1;
      }
      bytes += static_cast<uint64_t>(got);
      return got;
    };
    if (absl::Status s = visit(info, data); !s.ok()) return s;
    if (over) {
      problems->push_back(
          {LayerProblem::Kind::kTooLarge, info.path,
           absl::StrCat("the layer holds more than ", limits.max_bytes,
                        " bytes uncompressed; the rest was not read")});
      return absl::OkStatus();
    }
  }
  if (rc != ARCHIVE_EOF) {
    const char* msg = LibArchive().archive_error_string(a.get());
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": damaged layer after ", entries,
                     " entries: ", msg ? msg : "unreadable"));
  }
  if (!expected_digest.empty()) {
    // What libarchive left unread (padding after the tar's end) counts too.
    const void* rest;
    while (ReadHashed(nullptr, &source, &rest) > 0) {
    }
    if (source.hash.Finish() != expected_digest) {
      return absl::DataLossError(absl::StrCat(
          name, ": the layer does not match its digest ", expected_digest));
    }
  }
  return absl::OkStatus();
}

}  // namespace dso
