#include "stages/scan/deps/db_step.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "stages/core/step_context.h"
#include "stages/scan/deps/osv_db.h"

namespace dso {

absl::StatusOr<std::string> DatabaseDir(StepContext& context,
                                        const std::string& given,
                                        const std::string& configured) {
  if (!given.empty()) {
    return context.ResolveAgentPath("database directory", given,
                                    StepContext::PathUse::kRead);
  }
  if (configured.empty()) {
    return absl::FailedPreconditionError(
        "no vulnerability database directory is configured; name one");
  }
  return configured;
}

absl::Status DbStep::Validate(const dso::v1::RunStepRequest& request) const {
  for (const auto& s : request.db().sources()) {
    if (s.source_case() == dso::v1::Input::SOURCE_NOT_SET) {
      return absl::InvalidArgumentError("db.sources: an empty input");
    }
  }
  return absl::OkStatus();
}

dso::v1::Result DbStep::Run(const dso::v1::RunStepRequest& request,
                            StepContext& context) const {
  const auto& p = request.db();
  absl::StatusOr<std::string> where = DatabaseDir(context, p.db(), db_dir_);
  if (!where.ok()) return ErrorResult(where.status());
  const std::string& dir = *where;
  auto db = OsvDatabase::Open(dir);
  if (!db.ok()) return ErrorResult(db.status());
  auto log = [&](const std::string& line) {
    context.Log(dso::v1::LogLine::AGENT, line + "\n");
  };
  std::string imported;
  if (p.sources_size() > 0) {
    std::vector<std::string> paths;
    for (const auto& s : p.sources()) {
      auto path = context.ResolveInput(s);
      if (!path.ok()) return ErrorResult(path.status());
      paths.push_back(*path);
    }
    std::vector<std::string> names(p.source_names().begin(),
                                   p.source_names().end());
    auto stats = db->Import(paths, absl::ToUnixSeconds(absl::Now()), names);
    if (!stats.ok()) {
      return ErrorResult(absl::Status(
          stats.status().code(), absl::StrCat(stats.status().message(),
                                              "; the database is unchanged")));
    }
    for (const auto& w : stats->warnings) log("warning: " + w);
    if (auto s = db->Save(dir); !s.ok()) return ErrorResult(s);
    imported = absl::StrCat(
        "imported ", stats->read, " records: ", stats->added, " new, ",
        stats->updated, " updated, ", stats->unchanged, " unchanged, ",
        stats->withdrawn, " withdrawn, ", stats->invalid, " invalid; ");
  }
  const auto& data = db->data();
  log(absl::StrCat("database ", dir, "/", OsvDatabase::kFileName));
  for (const auto& src : data.sources()) {
    log(absl::StrCat(
        "  source ", src.path(), ": ", src.records(), " records, imported ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                         absl::FromUnixSeconds(src.imported_unix()),
                         absl::UTCTimeZone())));
  }
  for (const auto& [ecosystem, n] : db->CountsByEcosystem()) {
    log(absl::StrCat("  ", ecosystem, ": ", n, " advisories"));
  }
  dso::v1::Result result;
  result.set_outcome(dso::v1::SUCCEEDED);
  result.set_message(absl::StrCat(
      imported, data.advisories_size(), " advisories",
      data.updated_unix() > 0
          ? absl::StrCat(
                ", last import ",
                absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                 absl::FromUnixSeconds(data.updated_unix()),
                                 absl::UTCTimeZone()))
          : std::string(", never imported")));
  return result;
}

}  // namespace dso
