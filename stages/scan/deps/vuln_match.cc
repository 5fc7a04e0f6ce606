#include "stages/scan/deps/vuln_match.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "stages/scan/deps/internal/cvss.h"

namespace dso {
namespace {

struct Rated {
  dso::v1::Severity severity = dso::v1::MEDIUM;
  std::string how;  // "CVSS 9.8", "database: HIGH", "no severity given"
};

Rated RateAdvisory(const v1::OsvDbAdvisory& adv) {
  Rated best;
  double top = -1;
  for (const auto& s : adv.severity()) {
    if (s.type() != "CVSS_V3") continue;
    auto score = CvssV3BaseScore(s.score());
    if (score.ok() && *score > top) {
      top = *score;
      best = {SeverityOfScore(*score), absl::StrCat("CVSS ", *score)};
    }
  }
  if (top >= 0) return best;
  std::string level = absl::AsciiStrToUpper(adv.database_severity());
  if (level == "MODERATE") level = "MEDIUM";
  for (auto [name, sev] : {std::pair{"CRITICAL", dso::v1::CRITICAL},
                           {"HIGH", dso::v1::HIGH},
                           {"MEDIUM", dso::v1::MEDIUM},
                           {"LOW", dso::v1::LOW}}) {
    if (level == name) return {sev, absl::StrCat("database: ", level)};
  }
  return {dso::v1::MEDIUM, "no severity given; rated MEDIUM"};
}

}  // namespace

VulnMatchResult MatchVulnerabilities(const OsvDatabase& db,
                                     const Inventory& inventory) {
  VulnMatchResult out;
  for (const Package& pkg : inventory.packages) {
    for (const OsvDatabase::Hit& hit : db.Lookup(pkg.ecosystem, pkg.name)) {
      const OsvAffected& affected = *hit.matchable;
      auto is = IsAffected(affected, pkg.version);
      if (!is.ok()) {
        out.notes.push_back(absl::StrCat(
            pkg.file, ":", pkg.line, ": ", pkg.name, " ", pkg.version,
            " against ", hit.advisory->id(), ": ", is.status().message()));
        continue;
      }
      if (!*is) continue;
      const auto& adv = *hit.advisory;
      auto fixed = FixedVersions(affected, pkg.version);
      std::vector<std::string> fixes =
          fixed.ok() ? *fixed : std::vector<std::string>();
      Rated rated = RateAdvisory(adv);
      dso::v1::Finding f;
      f.set_rule_id(adv.id());
      f.set_title(adv.summary().empty()
                      ? absl::StrCat(adv.id(), " in ", pkg.name)
                      : adv.summary());
      f.set_severity(rated.severity);
      auto* loc = f.mutable_location();
      loc->set_file(pkg.file);
      loc->set_line(pkg.line);
      loc->set_package(pkg.name);
      loc->set_version(pkg.version);
      f.set_fingerprint(absl::StrCat(pkg.file, ":", pkg.ecosystem, "/",
                                     pkg.name, "@", pkg.version, ":",
                                     adv.id()));
      f.set_evidence(absl::StrCat(pkg.name, "@", pkg.version));
      f.add_references(adv.id());
      for (const auto& a : adv.aliases()) f.add_references(a);
      f.set_description(absl::StrCat(
          pkg.ecosystem, " package ", pkg.name, " ", pkg.version,
          " is affected by ", adv.id(),
          adv.aliases().empty()
              ? ""
              : absl::StrCat(" (", absl::StrJoin(adv.aliases(), ", "), ")"),
          "; ", rated.how, "; ",
          fixes.empty() ? std::string("no fixed version")
                        : absl::StrCat("fixed in ", absl::StrJoin(fixes, ", "),
                                       " (nearest: ", fixes.front(), ")")));
      f.set_scanner("deps");
      out.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(out.findings.begin(), out.findings.end(),
                   [](const dso::v1::Finding& a, const dso::v1::Finding& b) {
                     const auto &la = a.location(), &lb = b.location();
                     if (int c = la.file().compare(lb.file()); c != 0) {
                       return c < 0;
                     }
                     if (la.line() != lb.line()) return la.line() < lb.line();
                     return a.rule_id() < b.rule_id();
                   });
  return out;
}

}  // namespace dso
