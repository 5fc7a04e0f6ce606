#include "stages/scan/deps/internal/version.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace dso {

absl::StatusOr<VersionScheme> SchemeForEcosystem(absl::string_view ecosystem) {
  // "Debian:12", "Ubuntu:22.04:LTS": the release does not change ordering.
  absl::string_view base = ecosystem.substr(0, ecosystem.find(':'));
  if (base == "PyPI") return VersionScheme::kPep440;
  if (base == "npm" || base == "crates.io" || base == "Go" || base == "Hex" ||
      base == "Pub" || base == "SwiftURL") {
    return VersionScheme::kSemver;
  }
  if (base == "CRAN" || base == "Hackage") return VersionScheme::kNumeric;
  if (base == "Debian" || base == "Ubuntu") return VersionScheme::kDpkg;
  if (base == "Maven") return VersionScheme::kMaven;
  if (base == "RubyGems") return VersionScheme::kRubyGems;
  if (base == "NuGet") return VersionScheme::kNuGet;
  if (base == "Alpine" || base == "Wolfi" || base == "Chainguard") {
    return VersionScheme::kApk;
  }
  if (base == "Packagist") return VersionScheme::kPackagist;
  return absl::NotFoundError(absl::StrCat(
      "ecosystem '", ecosystem, "' has no version ordering in dso yet"));
}

absl::StatusOr<int> CompareVersions(VersionScheme scheme, absl::string_view a,
                                    absl::string_view b) {
  switch (scheme) {
    case VersionScheme::kSemver:
      return CompareSemver(a, b);
    case VersionScheme::kPep440:
      return ComparePep440(a, b);
    case VersionScheme::kDpkg:
      return CompareDpkg(a, b);
    case VersionScheme::kMaven:
      return CompareMaven(a, b);
    case VersionScheme::kRubyGems:
      return CompareRubyGems(a, b);
    case VersionScheme::kNuGet:
      return CompareNuGet(a, b);
    case VersionScheme::kApk:
      return CompareApk(a, b);
    case VersionScheme::kPackagist:
      return ComparePackagist(a, b);
    case VersionScheme::kNumeric:
      return CompareNumeric(a, b);
  }
  return absl::InternalError("unknown version scheme");
}

int Sign(int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; }

bool IsDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

int CompareDigits(absl::string_view a, absl::string_view b) {
  while (a.size() > 1 && a[0] == '0') a.remove_prefix(1);
  while (b.size() > 1 && b[0] == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return Sign(a.compare(b));
}

int ComparePrerelease(absl::Span<const absl::string_view> a,
                      absl::Span<const absl::string_view> b, bool ignore_case) {
  if (a.empty() || b.empty()) {
    return a.empty() == b.empty() ? 0 : a.empty() ? 1 : -1;
  }
  auto text = [ignore_case](absl::string_view x, absl::string_view y) {
    return Sign(ignore_case
                    ? absl::AsciiStrToLower(x).compare(absl::AsciiStrToLower(y))
                    : x.compare(y));
  };
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    bool na = IsDigits(a[i]), nb = IsDigits(b[i]);
    int c = na && nb ? CompareDigits(a[i], b[i])
            : na     ? -1  // numeric identifiers sort first
            : nb     ? 1
                     : text(a[i], b[i]);
    if (c != 0) return c;
  }
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

}  // namespace dso
