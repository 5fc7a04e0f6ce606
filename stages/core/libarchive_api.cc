#include "stages/core/libarchive_api.h"

#include "absl/strings/str_cat.h"
#include "stages/core/lazy_library.h"

namespace dso {
namespace {

LibarchiveApi& Table() {
  static LibarchiveApi* const api = new LibarchiveApi{};
  return *api;
}

absl::Status Bind() {
  static LazyLibrary* const lib = new LazyLibrary({"libarchive.so.13"});
  LibarchiveApi& api = Table();
#define DSO_LIBARCHIVE_BIND(name)                             \
  if (absl::Status s = lib->Bind(#name, api.name); !s.ok()) { \
    return s;                                                 \
  }
  DSO_LIBARCHIVE_FUNCTIONS(DSO_LIBARCHIVE_BIND)
#undef DSO_LIBARCHIVE_BIND
  return absl::OkStatus();
}

absl::Status Load() {
  static const absl::Status* const status = new absl::Status(Bind());
  return *status;
}

template <typename T, typename Deleter>
absl::StatusOr<std::unique_ptr<T, Deleter>> Made(T* (*LibarchiveApi::*make)(),
                                                 const char* what) {
  if (absl::Status s = Load(); !s.ok()) return s;
  T* handle = (Table().*make)();
  if (handle == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("libarchive could not make ", what));
  }
  return std::unique_ptr<T, Deleter>(handle);
}

}  // namespace

const LibarchiveApi& LibArchive() { return Table(); }

absl::StatusOr<ArchivePtr> NewArchiveReader() {
  return Made<archive, ArchiveFree>(&LibarchiveApi::archive_read_new,
                                    "an archive reader");
}
absl::StatusOr<ArchivePtr> NewArchiveWriter() {
  return Made<archive, ArchiveFree>(&LibarchiveApi::archive_write_new,
                                    "an archive writer");
}
absl::StatusOr<ArchivePtr> NewArchiveDiskWriter() {
  return Made<archive, ArchiveFree>(&LibarchiveApi::archive_write_disk_new,
                                    "a disk writer");
}
absl::StatusOr<ArchiveEntryPtr> NewArchiveEntry() {
  return Made<archive_entry, ArchiveEntryFree>(
      &LibarchiveApi::archive_entry_new, "an archive entry");
}

}  // namespace dso
