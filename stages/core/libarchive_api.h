// LibarchiveApi: the libarchive functions dso calls (tar packing and
// unpacking, layers, OSV zip archives), bound on first use instead of by
// the dynamic loader at every start: libarchive brings 9 shared libraries
// of its own, ICU among them (stages/core/lazy_library.h). Call sites read
// `LibArchive().archive_read_new()`: members have the functions' own names
// and their types come from <archive.h>. Handles are made through
// NewArchiveReader() and friends, which load the library first; after one
// of those succeeded, LibArchive() may be used.
#ifndef DSO_STAGES_CORE_LIBARCHIVE_API_H_
#define DSO_STAGES_CORE_LIBARCHIVE_API_H_

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "absl/status/statusor.h"

namespace dso {

#define DSO_LIBARCHIVE_FUNCTIONS(X)        \
  X(archive_entry_copy_stat)               \
  X(archive_entry_filetype)                \
  X(archive_entry_free)                    \
  X(archive_entry_hardlink)                \
  X(archive_entry_new)                     \
  X(archive_entry_pathname)                \
  X(archive_entry_perm)                    \
  X(archive_entry_set_filetype)            \
  X(archive_entry_set_gid)                 \
  X(archive_entry_set_hardlink)            \
  X(archive_entry_set_mtime)               \
  X(archive_entry_set_pathname)            \
  X(archive_entry_set_perm)                \
  X(archive_entry_set_rdev)                \
  X(archive_entry_set_size)                \
  X(archive_entry_set_symlink)             \
  X(archive_entry_set_uid)                 \
  X(archive_entry_size)                    \
  X(archive_entry_symlink)                 \
  X(archive_error_string)                  \
  X(archive_free)                          \
  X(archive_read_data)                     \
  X(archive_read_new)                      \
  X(archive_read_next_header)              \
  X(archive_read_open2)                    \
  X(archive_read_open_filename)            \
  X(archive_read_support_filter_gzip)      \
  X(archive_read_support_filter_xz)        \
  X(archive_read_support_filter_zstd)      \
  X(archive_read_support_format_gnutar)    \
  X(archive_read_support_format_tar)       \
  X(archive_read_support_format_zip)       \
  X(archive_write_close)                   \
  X(archive_write_data)                    \
  X(archive_write_disk_new)                \
  X(archive_write_disk_set_options)        \
  X(archive_write_finish_entry)            \
  X(archive_write_header)                  \
  X(archive_write_new)                     \
  X(archive_write_open2)                   \
  X(archive_write_set_bytes_in_last_block) \
  X(archive_write_set_format_pax_restricted)

struct LibarchiveApi {
#define DSO_LIBARCHIVE_MEMBER(name) decltype(&(::name)) name = nullptr;
  DSO_LIBARCHIVE_FUNCTIONS(DSO_LIBARCHIVE_MEMBER)
#undef DSO_LIBARCHIVE_MEMBER
};

// The bound functions; only after a New... below succeeded.
const LibarchiveApi& LibArchive();

struct ArchiveFree {
  void operator()(archive* a) const { LibArchive().archive_free(a); }
};
struct ArchiveEntryFree {
  void operator()(archive_entry* e) const {
    LibArchive().archive_entry_free(e);
  }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryFree>;

// New handles (archive_read_new, archive_write_new, archive_write_disk_new,
// archive_entry_new). The error says when libarchive cannot be loaded, or
// is out of memory.
absl::StatusOr<ArchivePtr> NewArchiveReader();
absl::StatusOr<ArchivePtr> NewArchiveWriter();
absl::StatusOr<ArchivePtr> NewArchiveDiskWriter();
absl::StatusOr<ArchiveEntryPtr> NewArchiveEntry();

}  // namespace dso

#endif  // DSO_STAGES_CORE_LIBARCHIVE_API_H_
