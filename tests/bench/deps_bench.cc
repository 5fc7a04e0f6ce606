// Matching speed of dependency scanning, in process: N packages — every
// package the database names, once, at a version some advisory fixes, the
// rest names without advisories — matched against the database, median of
// five rounds. Usage: dso_deps_bench DB_DIR [N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "stages/scan/deps/osv_db.h"
#include "stages/scan/deps/vuln_match.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DB_DIR [PACKAGES]\n", argv[0]);
    return 2;
  }
  size_t n = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10000;
  absl::Time t0 = absl::Now();
  auto db = dso::OsvDatabase::Open(argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", std::string(db.status().message()).c_str());
    return 2;
  }
  absl::Duration load = absl::Now() - t0;
  // Packages: every distinct (ecosystem, name) in the database once, at
  // the first fixed version found for it (a large project's lockfiles
  // name each package once), then names with no advisories up to N.
  dso::Inventory inv;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& adv : db->data().advisories()) {
    for (const auto& a : adv.affected()) {
      if (inv.packages.size() >= n) break;
      std::string version;
      for (const auto& r : a.ranges()) {
        for (const auto& e : r.events()) {
          if (version.empty() && e.version() != "0" &&
              r.type() != dso::v1::OsvDbRange::GIT) {
            version = e.version();
          }
        }
      }
      if (version.empty() || !seen.insert({a.ecosystem(), a.name()}).second) {
        continue;
      }
      inv.packages.push_back(
          {a.ecosystem(), a.name(), version, "bench.lock", 1});
    }
  }
  size_t known = inv.packages.size();
  for (size_t i = 0; inv.packages.size() < n; ++i) {  // names with no entry
    inv.packages.push_back({"PyPI", "no-such-package-" + std::to_string(i),
                            "1.0", "bench.lock", 1});
  }
  std::vector<double> ms;
  size_t found = 0;
  for (int round = 0; round < 5; ++round) {
    absl::Time start = absl::Now();
    auto r = dso::MatchVulnerabilities(*db, inv);
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    found = r.findings.size();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("advisories %d, packages %zu (%zu named in advisories), "
              "findings %zu, load %.1f ms, match median %.1f ms (min %.1f, "
              "max %.1f)\n",
              db->data().advisories_size(), inv.packages.size(), known, found,
              absl::ToDoubleMilliseconds(load), ms[2], ms[0], ms[4]);
  return 0;
}
