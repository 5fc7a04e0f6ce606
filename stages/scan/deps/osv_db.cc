#include "stages/scan/deps/osv_db.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "stages/core/atomic_file.h"
#include "stages/core/bounded_file.h"
#include "stages/scan/deps/internal/osv_record.h"
#include "stages/scan/deps/internal/osv_sources.h"

namespace dso {
namespace {

namespace fs = std::filesystem;
using v1::OsvDbAdvisory;

constexpr uint32_t kFormat = 1;
// A database of every OSV ecosystem is a few hundred MiB; past this, the
// file is not one dso wrote.
constexpr uint64_t kMaxDatabaseBytes = 4ull << 30;

std::string Key(absl::string_view ecosystem, absl::string_view name) {
  return absl::StrCat(ecosystem, std::string(1, '\0'),
                      NormalizePackageName(ecosystem, name));
}

// Whether OSV timestamp a is later than b (RFC 3339; as text when one does
// not parse).
bool Later(const std::string& a, const std::string& b) {
  absl::Time ta, tb;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, a, &ta, &err) &&
      absl::ParseTime(absl::RFC3339_full, b, &tb, &err)) {
    return ta > tb;
  }
  return a > b;
}

OsvDbAdvisory ToProto(const OsvRecord& r, const std::string& source) {
  OsvDbAdvisory out;
  out.set_id(r.id);
  out.set_modified(r.modified);
  out.set_summary(r.summary);
  for (const auto& a : r.aliases) out.add_aliases(a);
  for (const auto& s : r.severity) {
    auto* sv = out.add_severity();
    sv->set_type(s.type);
    sv->set_score(s.score);
  }
  out.set_database_severity(r.database_severity);
  for (const OsvAffected& a : r.affected) {
    auto* pa = out.add_affected();
    pa->set_ecosystem(a.ecosystem);
    pa->set_name(a.name);
    for (const auto& v : a.versions) pa->add_versions(v);
    for (const OsvRange& range : a.ranges) {
      auto* pr = pa->add_ranges();
      pr->set_type(range.type == OsvRange::kSemver ? v1::OsvDbRange::SEMVER
                   : range.type == OsvRange::kGit  ? v1::OsvDbRange::GIT
                                                   : v1::OsvDbRange::ECOSYSTEM);
      for (const OsvEvent& e : range.events) {
        auto* pe = pr->add_events();
        pe->set_kind(static_cast<v1::OsvDbEvent::Kind>(e.kind));
        pe->set_version(e.version);
      }
    }
  }
  out.set_source(source);
  return out;
}

}  // namespace

std::string NormalizePackageName(absl::string_view ecosystem,
                                 absl::string_view name) {
  if (ecosystem == "NuGet" || ecosystem == "Packagist") {
    return absl::AsciiStrToLower(name);
  }
  if (ecosystem != "PyPI") return std::string(name);
  std::string out;
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep && !out.empty()) out.push_back('-');
    sep = false;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

OsvAffected ToOsvAffected(const v1::OsvDbAffected& a) {
  OsvAffected out;
  out.ecosystem = a.ecosystem();
  out.name = a.name();
  out.versions.assign(a.versions().begin(), a.versions().end());
  for (const auto& r : a.ranges()) {
    OsvRange range;
    range.type = r.type() == v1::OsvDbRange::SEMVER ? OsvRange::kSemver
                 : r.type() == v1::OsvDbRange::GIT  ? OsvRange::kGit
                                                    : OsvRange::kEcosystem;
    for (const auto& e : r.events()) {
      range.events.push_back(
          {static_cast<OsvEvent::Kind>(e.kind()), e.version()});
    }
    out.ranges.push_back(std::move(range));
  }
  return out;
}

absl::StatusOr<OsvDatabase> OsvDatabase::Open(const std::string& dir) {
  OsvDatabase db;
  std::string path = absl::StrCat(dir, "/", kFileName);
  RemoveStaleTempFiles(path);  // of an import killed mid-write
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    db.db_.set_format(kFormat);
    return db;
  }
  auto bytes = ReadFileUpTo(path, kMaxDatabaseBytes);
  if (!bytes.ok()) return bytes.status();
  if (!db.db_.ParseFromString(*bytes) || db.db_.format() != kFormat) {
    return absl::DataLossError(absl::StrCat(
        path,
        " is damaged or of another format; import the records into a "
        "new --db directory"));
  }
  db.Reindex();
  return db;
}

absl::StatusOr<OsvImportStats> OsvDatabase::Import(
    const std::vector<std::string>& paths, int64_t now_unix,
    const std::vector<std::string>& names) {
  OsvImportStats stats;
  v1::OsvDatabase next = db_;
  absl::flat_hash_map<std::string, int> by_id;
  for (int i = 0; i < next.advisories_size(); ++i) {
    by_id[next.advisories(i).id()] = i;
  }
  std::set<int> removed;
  for (size_t k = 0; k < paths.size(); ++k) {
    const std::string& given = paths[k];
    std::error_code ec;
    std::string path = fs::absolute(given, ec).lexically_normal().string();
    if (ec) path = given;
    if (k < names.size() && !names[k].empty()) path = names[k];
    size_t records = 0;
    absl::Status s = ForEachOsvFile(
        given,
        [&](OsvFile f) {
          ++records;
          ++stats.read;
          // Name files by the source's recorded name, not the copy read.
          if (path != given && absl::StartsWith(f.name, given)) {
            f.name = path + f.name.substr(given.size());
          }
          auto r = f.yaml ? ParseOsvYaml(f.text, f.name)
                          : ParseOsvJson(f.text, f.name);
          if (!r.ok()) {
            ++stats.invalid;
            stats.warnings.push_back(std::string(r.status().message()));
            return;
          }
          auto it = by_id.find(r->id);
          if (!r->withdrawn.empty()) {
            ++stats.withdrawn;
            if (it != by_id.end()) removed.insert(it->second);
            return;
          }
          if (it == by_id.end()) {
            by_id[r->id] = next.advisories_size();
            *next.add_advisories() = ToProto(*r, path);
            ++stats.added;
          } else if (removed.count(it->second) ||
                     Later(r->modified,
                           next.advisories(it->second).modified())) {
            removed.erase(it->second);
            *next.mutable_advisories(it->second) = ToProto(*r, path);
            ++stats.updated;
          } else {
            ++stats.unchanged;
          }
        },
        &stats.warnings);
    if (!s.ok()) return s;
    v1::OsvDbSource* source = nullptr;
    for (auto& src : *next.mutable_sources()) {
      if (src.path() == path) source = &src;
    }
    if (!source) source = next.add_sources();
    source->set_path(path);
    source->set_imported_unix(now_unix);
    source->set_records(static_cast<uint32_t>(records));
  }
  // Drop withdrawn advisories and keep the rest sorted by id.
  auto* list = next.mutable_advisories();
  for (auto it = removed.rbegin(); it != removed.rend(); ++it) {
    list->SwapElements(*it, list->size() - 1);
    list->RemoveLast();
  }
  std::sort(list->begin(), list->end(),
            [](const OsvDbAdvisory& a, const OsvDbAdvisory& b) {
              return a.id() < b.id();
            });
  next.set_format(kFormat);
  next.set_updated_unix(now_unix);
  db_ = std::move(next);
  Reindex();
  return stats;
}

absl::Status OsvDatabase::Save(const std::string& dir) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot create database directory '", dir, "': ", ec.message()));
  }
  std::string bytes;
  if (!db_.SerializeToString(&bytes)) {
    return absl::InternalError("the database does not serialize");
  }
  return WriteFileAtomically(absl::StrCat(dir, "/", kFileName), bytes);
}

std::map<std::string, size_t> OsvDatabase::CountsByEcosystem() const {
  std::map<std::string, size_t> out;
  for (const auto& adv : db_.advisories()) {
    std::set<std::string> seen;
    for (const auto& a : adv.affected()) {
      if (seen.insert(a.ecosystem()).second) ++out[a.ecosystem()];
    }
  }
  return out;
}

std::vector<OsvDatabase::Hit> OsvDatabase::Lookup(
    absl::string_view ecosystem, absl::string_view name) const {
  std::vector<Hit> out;
  auto it = index_.find(Key(ecosystem, name));
  if (it == index_.end()) return out;
  for (const Entry& e : it->second) {
    out.push_back({&db_.advisories(e.advisory),
                   &db_.advisories(e.advisory).affected(e.affected),
                   &e.matchable});
  }
  return out;
}

void OsvDatabase::Reindex() {
  index_.clear();
  for (int i = 0; i < db_.advisories_size(); ++i) {
    const auto& adv = db_.advisories(i);
    for (int j = 0; j < adv.affected_size(); ++j) {
      index_[Key(adv.affected(j).ecosystem(), adv.affected(j).name())]
          .push_back({i, j, ToOsvAffected(adv.affected(j))});
    }
  }
}

}  // namespace dso
