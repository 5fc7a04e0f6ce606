#include "stages/scan/deps/internal/cvss.h"

#include <cmath>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dso {
namespace {

// CVSS v3.1 Appendix A: rounding up to one decimal without floating-point
// surprises (v3.0 simply takes the ceiling).
double RoundUp31(double x) {
  long long i = std::llround(x * 100000);
  if (i % 10000 == 0) return static_cast<double>(i) / 100000.0;
  return (std::floor(static_cast<double>(i) / 10000) + 1) / 10.0;
}
double RoundUp30(double x) { return std::ceil(x * 10) / 10; }

}  // namespace

absl::StatusOr<double> CvssV3BaseScore(absl::string_view vector) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("CVSS vector '", vector, "': ", why));
  };
  if (absl::StartsWith(vector, "CVSS:4.0/")) {
    return absl::UnimplementedError(
        absl::StrCat("CVSS vector '", vector, "': CVSS v4.0 is not scored"));
  }
  bool v31 = absl::StartsWith(vector, "CVSS:3.1/");
  if (!v31 && !absl::StartsWith(vector, "CVSS:3.0/")) {
    return bad("not a CVSS v3.0 or v3.1 vector");
  }
  std::map<std::string, std::string> m;
  for (absl::string_view part :
       absl::StrSplit(vector.substr(9), '/', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, ':');
    m[kv.first] = kv.second;
  }
  auto metric = [&](const char* name,
                    std::initializer_list<std::pair<const char*, double>> vals)
      -> absl::StatusOr<double> {
    auto it = m.find(name);
    if (it == m.end()) return bad(absl::StrCat("no ", name, " metric"));
    for (const auto& [k, v] : vals) {
      if (it->second == k) return v;
    }
    return bad(absl::StrCat("unknown ", name, " value '", it->second, "'"));
  };
  auto scope = m.find("S");
  if (scope == m.end() || (scope->second != "U" && scope->second != "C")) {
    return bad("no S (scope) metric of U or C");
  }
  bool changed = scope->second == "C";
  auto av = metric("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}});
  auto ac = metric("AC", {{"L", 0.77}, {"H", 0.44}});
  auto pr = metric(
      "PR",
      {{"N", 0.85}, {"L", changed ? 0.68 : 0.62}, {"H", changed ? 0.5 : 0.27}});
  auto ui = metric("UI", {{"N", 0.85}, {"R", 0.62}});
  auto c = metric("C", {{"H", 0.56}, {"L", 0.22}, {"N", 0}});
  auto i = metric("I", {{"H", 0.56}, {"L", 0.22}, {"N", 0}});
  auto a = metric("A", {{"H", 0.56}, {"L", 0.22}, {"N", 0}});
  for (const auto* s : {&av, &ac, &pr, &ui, &c, &i, &a}) {
    if (!s->ok()) return s->status();
  }
  double iss = 1 - (1 - *c) * (1 - *i) * (1 - *a);
  double impact = changed
                      ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15)
                      : 6.42 * iss;
  if (impact <= 0) return 0.0;
  double exploitability = 8.22 * *av * *ac * *pr * *ui;
  double raw = changed ? std::min(1.08 * (impact + exploitability), 10.0)
                       : std::min(impact + exploitability, 10.0);
  return v31 ? RoundUp31(raw) : RoundUp30(raw);
}

dso::v1::Severity SeverityOfScore(double score) {
  if (score <= 0) return dso::v1::INFO;
  if (score < 4) return dso::v1::LOW;
  if (score < 7) return dso::v1::MEDIUM;
  if (score < 9) return dso::v1::HIGH;
  return dso::v1::CRITICAL;
}

}  // namespace dso
