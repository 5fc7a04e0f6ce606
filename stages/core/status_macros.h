// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr.
// Debian's Abseil 20220623 does not ship status_macros.h, so they live here.
#ifndef DSO_STAGES_CORE_STATUS_MACROS_H_
#define DSO_STAGES_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DSO_CONCAT_INNER_(a, b) a##b
#define DSO_CONCAT_(a, b) DSO_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status dso_status_ = (expr);       \
    if (!dso_status_.ok()) return dso_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  DSO_ASSIGN_OR_RETURN_IMPL_(DSO_CONCAT_(dso_statusor_, __LINE__), lhs, expr)

#define DSO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // DSO_STAGES_CORE_STATUS_MACROS_H_
