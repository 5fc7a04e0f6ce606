#include "stages/scan/deps/internal/osv_affected.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "stages/scan/deps/internal/version.h"

namespace dso {
namespace {

absl::StatusOr<VersionScheme> SchemeOf(const OsvAffected& a,
                                       const OsvRange& r) {
  if (r.type == OsvRange::kSemver) return VersionScheme::kSemver;
  return SchemeForEcosystem(a.ecosystem);
}

bool IsZero(const OsvEvent& e) {
  return e.kind == OsvEvent::kIntroduced && e.version == "0";
}

// The events at or below `version` decide, the highest of them: affected
// when it is an introduced one. `last_affected` still covers its own
// version; at equal versions a closing event wins over an introduced one.
absl::StatusOr<bool> InRange(VersionScheme scheme, const OsvRange& range,
                             absl::string_view version) {
  const OsvEvent* top = nullptr;
  for (const OsvEvent& e : range.events) {
    bool applies;
    if (IsZero(e)) {
      applies = true;
    } else {
      auto c = CompareVersions(scheme, version, e.version);
      if (!c.ok()) return c.status();
      applies = e.kind == OsvEvent::kLastAffected ? *c > 0 : *c >= 0;
    }
    if (!applies) continue;
    if (top == nullptr) {
      top = &e;
      continue;
    }
    int c;
    if (IsZero(e)) {
      c = IsZero(*top) ? 0 : -1;
    } else if (IsZero(*top)) {
      c = 1;
    } else {
      auto r = CompareVersions(scheme, e.version, top->version);
      if (!r.ok()) return r.status();
      c = *r;
    }
    if (c > 0 || (c == 0 && e.kind != OsvEvent::kIntroduced)) top = &e;
  }
  return top != nullptr && top->kind == OsvEvent::kIntroduced;
}

}  // namespace

absl::StatusOr<bool> IsAffected(const OsvAffected& affected,
                                absl::string_view version) {
  auto scheme = SchemeForEcosystem(affected.ecosystem);
  for (const std::string& v : affected.versions) {
    if (v == version) return true;
    if (scheme.ok()) {
      auto c = CompareVersions(*scheme, v, version);
      if (c.ok() && *c == 0) return true;
    }
  }
  for (const OsvRange& r : affected.ranges) {
    if (r.type == OsvRange::kGit) continue;
    auto s = SchemeOf(affected, r);
    if (!s.ok()) return s.status();
    auto in = InRange(*s, r, version);
    if (!in.ok()) return in.status();
    if (*in) return true;
  }
  return false;
}

absl::StatusOr<std::vector<std::string>> FixedVersions(
    const OsvAffected& affected, absl::string_view version) {
  std::vector<std::string> out;
  absl::StatusOr<VersionScheme> scheme = absl::NotFoundError("");
  for (const OsvRange& r : affected.ranges) {
    if (r.type == OsvRange::kGit) continue;
    scheme = SchemeOf(affected, r);
    if (!scheme.ok()) return scheme.status();
    auto in = InRange(*scheme, r, version);
    if (!in.ok()) return in.status();
    if (!*in) continue;
    for (const OsvEvent& e : r.events) {
      if (e.kind != OsvEvent::kFixed) continue;
      auto c = CompareVersions(*scheme, e.version, version);
      if (!c.ok()) return c.status();
      if (*c > 0) out.push_back(e.version);
    }
  }
  if (out.empty()) return out;
  // Lowest first; the versions parsed above, so comparisons succeed.
  std::sort(out.begin(), out.end(),
            [&](const std::string& a, const std::string& b) {
              auto c = CompareVersions(*scheme, a, b);
              return c.ok() && *c < 0;
            });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace dso
