#include "stages/scan/deps/internal/osv_sources.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/core/libarchive_api.h"
#include "stages/core/status_macros.h"
#include "stages/scan/deps/internal/osv_record.h"

namespace dso {
namespace {

namespace fs = std::filesystem;

bool IsJson(const std::string& name) { return absl::EndsWith(name, ".json"); }
bool IsYaml(const std::string& name) {
  return absl::EndsWith(name, ".yaml") || absl::EndsWith(name, ".yml");
}

absl::Status ReadZip(const std::string& path,
                     const std::function<void(OsvFile)>& each,
                     std::vector<std::string>* warnings) {
  ASSIGN_OR_RETURN(ArchivePtr a, NewArchiveReader());
  LibArchive().archive_read_support_format_zip(a.get());
  if (LibArchive().archive_read_open_filename(a.get(), path.c_str(), 1 << 16) !=
      ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a readable zip archive: ",
                     LibArchive().archive_error_string(a.get())));
  }
  archive_entry* e = nullptr;
  int rc;
  while ((rc = LibArchive().archive_read_next_header(a.get(), &e)) ==
         ARCHIVE_OK) {
    std::string member = LibArchive().archive_entry_pathname(e)
                             ? LibArchive().archive_entry_pathname(e)
                             : "";
    std::string name = absl::StrCat(path, ":", member);
    if (LibArchive().archive_entry_filetype(e) != AE_IFREG ||
        !(IsJson(member) || IsYaml(member))) {
      continue;
    }
    // Read at most one byte more than a record may have: sizes in the
    // header can lie (a bomb), what is read cannot.
    std::string text;
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = LibArchive().archive_read_data(a.get(), buf, sizeof(buf))) >
           0) {
      text.append(buf, static_cast<size_t>(n));
      if (text.size() > kMaxOsvRecordBytes) break;
    }
    if (n < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": damaged archive member: ",
                       LibArchive().archive_error_string(a.get())));
    }
    if (text.size() > kMaxOsvRecordBytes) {
      warnings->push_back(absl::StrCat(name, ": more than ", kMaxOsvRecordBytes,
                                       " bytes; not a record, skipped"));
      continue;
    }
    each(OsvFile{std::move(name), std::move(text), IsYaml(member)});
  }
  if (rc != ARCHIVE_EOF) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": damaged zip archive: ", LibArchive().archive_error_string(a.get())));
  }
  return absl::OkStatus();
}

absl::Status ReadOne(const std::string& path,
                     const std::function<void(OsvFile)>& each,
                     std::vector<std::string>* warnings) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxOsvRecordBytes) {
    warnings->push_back(
        absl::StrCat(path, ": ", size, " bytes; not a record, skipped"));
    return absl::OkStatus();
  }
  auto text = ReadFile(path, FileKind::kDocument);
  if (!text.ok()) return text.status();
  each(OsvFile{path, *std::move(text), IsYaml(path)});
  return absl::OkStatus();
}

}  // namespace

absl::Status ForEachOsvFile(const std::string& path,
                            const std::function<void(OsvFile)>& each,
                            std::vector<std::string>* warnings) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path,
        "' cannot be read: ", ec ? ec.message() : "no such file or directory"));
  }
  if (fs::is_regular_file(st)) {
    if (absl::EndsWith(path, ".zip")) return ReadZip(path, each, warnings);
    if (IsJson(path) || IsYaml(path)) return ReadOne(path, each, warnings);
    return absl::InvalidArgumentError(absl::StrCat(
        "'", path, "' is neither a .json, .yaml or .yml record nor a .zip"));
  }
  if (!fs::is_directory(st)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a file or directory"));
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string p = it->path().string();
    if (it->is_regular_file(ec) &&
        (IsJson(p) || IsYaml(p) || absl::EndsWith(p, ".zip"))) {
      files.push_back(std::move(p));
    }
  }
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' cannot be listed: ", ec.message()));
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    absl::Status s = absl::EndsWith(f, ".zip") ? ReadZip(f, each, warnings)
                                               : ReadOne(f, each, warnings);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace dso
