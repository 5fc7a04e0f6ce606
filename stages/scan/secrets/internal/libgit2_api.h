// Libgit2Api: the libgit2 functions the secrets library calls, bound when a
// scan first needs git (a history scan, or honouring .gitignore) instead of
// by the dynamic loader at every start of dsoctl and the agent: libgit2
// brings 14 shared libraries of its own (stages/core/lazy_library.h).
// Owned by the secrets library; every libgit2 call in it goes through
// Git2(). Call sites read `Git2().git_odb_read(...)`: the members have the
// functions' own names and their types come from <git2.h>.
#ifndef DSO_STAGES_SCAN_SECRETS_INTERNAL_LIBGIT2_API_H_
#define DSO_STAGES_SCAN_SECRETS_INTERNAL_LIBGIT2_API_H_

#include <git2.h>

#include "absl/status/status.h"

namespace dso {

#define DSO_LIBGIT2_FUNCTIONS(X)     \
  X(git_commit_author)               \
  X(git_commit_free)                 \
  X(git_commit_lookup)               \
  X(git_commit_message)              \
  X(git_diff_find_similar)           \
  X(git_diff_free)                   \
  X(git_diff_get_delta)              \
  X(git_diff_num_deltas)             \
  X(git_diff_tree_to_tree)           \
  X(git_error_last)                  \
  X(git_ignore_path_is_ignored)      \
  X(git_libgit2_init)                \
  X(git_libgit2_opts)                \
  X(git_object_free)                 \
  X(git_object_id)                   \
  X(git_object_peel)                 \
  X(git_odb_free)                    \
  X(git_odb_object_data)             \
  X(git_odb_object_free)             \
  X(git_odb_object_size)             \
  X(git_odb_object_type)             \
  X(git_odb_read)                    \
  X(git_reference_iterator_free)     \
  X(git_reference_iterator_glob_new) \
  X(git_reference_name_to_id)        \
  X(git_reference_next_name)         \
  X(git_repository_commondir)        \
  X(git_repository_free)             \
  X(git_repository_odb)              \
  X(git_repository_open_ext)         \
  X(git_repository_workdir)          \
  X(git_revparse_single)             \
  X(git_tree_free)                   \
  X(git_tree_lookup)

struct Libgit2Api {
#define DSO_LIBGIT2_MEMBER(name) decltype(&(::name)) name = nullptr;
  DSO_LIBGIT2_FUNCTIONS(DSO_LIBGIT2_MEMBER)
#undef DSO_LIBGIT2_MEMBER
};

// Loads libgit2 and initialises it (once per process: git_libgit2_init, a
// 16 MiB object cache, objects not hashed again as they are read — the
// scan reads what a repository holds under an id, as git does, and hashing
// cost more than reading). Every entry point that uses git calls it first;
// the error names the library when it cannot be loaded.
absl::Status LoadLibgit2();

// The bound functions. Only after LoadLibgit2() succeeded.
const Libgit2Api& Git2();

}  // namespace dso

#endif  // DSO_STAGES_SCAN_SECRETS_INTERNAL_LIBGIT2_API_H_
